using Tracking.Contracts;
using Tracking.Grains.Events;

namespace Tracking.Grains.Analytics;

/// <summary>
/// What has been counted since the last save: hour counts by (scope, hour), link counts by (scope, hour, url).
/// </summary>
public sealed class MetricsChanges
{
    public Dictionary<(string Scope, long Hour), HourCounts> Hours { get; } = [];
    public Dictionary<(string Scope, long Hour, string Url), LinkCounts> Links { get; } = [];
    public Dictionary<(string Scope, long Hour, EventClient Client), ClientCounts> Clients { get; } = [];

    public bool IsEmpty => Hours.Count == 0 && Links.Count == 0 && Clients.Count == 0;

    public ClientCounts Client(string scope, long hour, EventClient client) =>
        Clients.TryGetValue((scope, hour, client), out var c) ? c : Clients[(scope, hour, client)] = new();

    public HourCounts Hour(string scope, long hour) =>
        Hours.TryGetValue((scope, hour), out var c) ? c : Hours[(scope, hour)] = new();

    public LinkCounts Link(string scope, long hour, string url) =>
        Links.TryGetValue((scope, hour, url), out var c) ? c : Links[(scope, hour, url)] = new();

    static readonly EventClient UnknownClient = new(EventClient.Unknown, EventClient.Unknown, EventClient.Unknown);

    /// <summary>The scopes an event counts in: the whole project, each of its email's tags, its broadcast.</summary>
    public static IEnumerable<string> Scopes(MetricEvent e)
    {
        yield return MetricsStore.All;
        foreach (var tag in e.Tags) yield return MetricsStore.TagScope(tag);
        if (e.BroadcastId is { } b) yield return MetricsStore.BroadcastScope(b);
    }

    /// <summary>Counts an event in its hour of every scope.</summary>
    public void Count(MetricEvent e)
    {
        var hour = ProjectMetricsGrain.Hour(e.CreatedAt);
        foreach (var scope in Scopes(e))
        {
            var c = Hour(scope, hour);
            switch (e.Type)
            {
                case EventTypes.Sent:
                    c.Sent++;
                    if (e.Stored) c.StoredSent++;
                    break;
                case EventTypes.Delivered: c.Delivered++; break;
                case EventTypes.Failed: c.Failed++; break;
                case EventTypes.Opened:
                    var opener = Client(scope, hour, e.Client ?? UnknownClient);
                    opener.Opens++;
                    if (e.Machine is null) opener.HumanOpens++;
                    c.Opens++;
                    if (e.FirstOpen) c.UniqueOpens++;
                    if (e.FirstHumanOpen) c.UniqueHumanOpens++;
                    if (e.Machine == MachineReasons.ApplePrivacyProxy) c.ApplePrivacyOpens++;
                    else if (e.Machine is not null) c.PrefetchOpens++;
                    break;
                case EventTypes.Clicked:
                    var clicker = Client(scope, hour, e.Client ?? UnknownClient);
                    clicker.Clicks++;
                    if (e.Machine is null) clicker.HumanClicks++;
                    c.Clicks++;
                    if (e.FirstClick) c.UniqueClicks++;
                    if (e.FirstHumanClick) c.UniqueHumanClicks++;
                    if (e.Machine is not null) c.ScannerClicks++;
                    if (e.Link is null) break;
                    var link = Link(scope, hour, e.Link);
                    link.Clicks++;
                    if (e.FirstClickOnLink) link.UniqueClicks++;
                    break;
            }
        }
    }

    /// <summary>
    /// Changes a click's counts in every scope it was counted in: <paramref name="machine"/> 1 moves it from people to
    /// scanners; <paramref name="uniqueHuman"/> moves its email's first click by a person.
    /// </summary>
    public void Recount(MetricEvent e, int machine, int uniqueHuman)
    {
        var hour = ProjectMetricsGrain.Hour(e.CreatedAt);
        foreach (var scope in Scopes(e))
        {
            var c = Hour(scope, hour);
            c.ScannerClicks += machine;
            c.UniqueHumanClicks += uniqueHuman;
            Client(scope, hour, e.Client ?? UnknownClient).HumanClicks -= machine;
        }
    }
}
