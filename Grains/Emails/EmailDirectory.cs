using System.Diagnostics.CodeAnalysis;

namespace Tracking.Grains.Emails;

/// <summary>
/// The tracking columns of recently seen emails, kept so that the event log's insert need not look each
/// email up again (that lookup was a third of the database's work per open). An email's project, flags
/// and links never change once it is accepted, so an entry is never stale and only the size needs a
/// bound: entries go into a current generation, and when it is full the previous one is dropped whole.
/// Finding an entry in the previous generation moves it to the current one, so what is in use stays.
/// Unknown ids are not remembered: a stranger's made-up ids cost a lookup each, not memory.
/// </summary>
public sealed class EmailDirectory
{
    readonly int generationEntries;
    readonly long generationLinkChars;
    readonly object gate = new();
    Dictionary<Guid, EmailTracking> current = [], previous = [];
    long currentLinkChars;

    /// <param name="maxEntries">At most this many emails are kept (two full generations).</param>
    /// <param name="maxLinkChars">
    /// At most about this many characters of link URLs are kept: a newsletter can carry hundreds.
    /// </param>
    public EmailDirectory(int maxEntries = 200_000, long maxLinkChars = 16_000_000)
    {
        generationEntries = Math.Max(1, maxEntries / 2);
        generationLinkChars = Math.Max(1, maxLinkChars / 2);
    }

    public int Count { get { lock (gate) return current.Count + previous.Count; } }

    public bool TryFind(Guid emailId, [MaybeNullWhen(false)] out EmailTracking email)
    {
        lock (gate)
        {
            if (current.TryGetValue(emailId, out email)) return true;
            if (!previous.Remove(emailId, out email)) return false;
            AddLocked(emailId, email);
            return true;
        }
    }

    public void Add(Guid emailId, EmailTracking email)
    {
        lock (gate)
            if (!current.ContainsKey(emailId))
            {
                previous.Remove(emailId);
                AddLocked(emailId, email);
            }
    }

    void AddLocked(Guid emailId, EmailTracking email)
    {
        current[emailId] = email;
        foreach (var link in email.Links) currentLinkChars += link.Length;
        if (current.Count < generationEntries && currentLinkChars < generationLinkChars) return;
        previous = current;
        current = [];
        currentLinkChars = 0;
    }
}
