using Tracking.Grains.Events;

namespace Tracking.Grains.Analytics;

/// <summary>A click as the metrics counted it, kept for a while in case later clicks show it was a scanner's.</summary>
public sealed class CountedClick(MetricEvent e)
{
    public MetricEvent Event { get; } = e;
    public string? Machine { get; set; } = e.Machine;
    public bool FirstHumanClick { get; set; } = e.FirstHumanClick;
}

/// <summary>
/// Link scanners follow every link of an email at once; people do not. A project's clicks of the last minute,
/// by email, to find them: clicks on two or more links of an email within <see cref="Burst"/> of each other,
/// on every link of an email with three or more within <see cref="Window"/>, and those of the sender (address
/// and user agent) that followed the email's hidden trap link within <see cref="Window"/>, before or after.
/// Such clicks are a scanner's, the earlier ones included, though they were counted as a person's when they came.
/// </summary>
public sealed class ClickBursts(string trapDestination, TimeProvider clock)
{
    public static readonly TimeSpan Burst = TimeSpan.FromSeconds(2), Window = TimeSpan.FromMinutes(1);
    public const int AllLinksFrom = 3;

    readonly Dictionary<Guid, List<CountedClick>> byEmail = [];

    /// <summary>The clicks of an email kept now, oldest first.</summary>
    public IReadOnlyList<CountedClick> Of(Guid emailId) => byEmail.GetValueOrDefault(emailId) ?? [];

    /// <summary>Adds a click; answers the clicks it shows to be a scanner's that were still a person's (this one among them).</summary>
    public List<CountedClick> Add(CountedClick click, int emailLinks)
    {
        var e = click.Event;
        if (!byEmail.TryGetValue(e.EmailId, out var clicks)) byEmail[e.EmailId] = clicks = [];
        clicks.Add(click);
        IEnumerable<CountedClick> scanner = [];
        var burst = clicks.Where(c => Near(c, e, Burst)).ToList();
        if (burst.Select(c => c.Event.Link).Distinct().Count() >= 2) scanner = burst;
        var minute = clicks.Where(c => Near(c, e, Window)).ToList();
        if (emailLinks >= AllLinksFrom && minute.Select(c => c.Event.Link).Distinct().Count() >= emailLinks) scanner = scanner.Union(minute);
        var sender = minute.Where(c => SameSender(c.Event, e)).ToList();
        if (e.Link == trapDestination) scanner = scanner.Union(sender);
        else if (sender.Any(c => c.Event.Link == trapDestination)) scanner = scanner.Append(click);
        return [.. scanner.Where(c => c.Machine is null).Distinct().OrderBy(c => c.Event.Seq)];
    }

    // A sender is known only by what was kept of it: with neither address nor agent kept, no click is like another.
    static bool SameSender(MetricEvent a, MetricEvent b) =>
        a.IpAddress is not null && a.UserAgent is not null && a.IpAddress == b.IpAddress && a.UserAgent == b.UserAgent;

    static bool Near(CountedClick c, MetricEvent e, TimeSpan within) => (e.CreatedAt - c.Event.CreatedAt).Duration() <= within;

    /// <summary>Forgets the clicks no rule can reach any more: those older than twice the window.</summary>
    public void Forget()
    {
        var before = clock.GetUtcNow() - 2 * Window;
        foreach (var (email, clicks) in byEmail.ToList())
        {
            clicks.RemoveAll(c => c.Event.CreatedAt < before);
            if (clicks.Count == 0) byEmail.Remove(email);
        }
    }
}
