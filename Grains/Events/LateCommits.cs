namespace Tracking.Grains.Events;

/// <summary>
/// Reading the event log forward by sequence number while several writers commit (each silo's event log,
/// the outbox): a number is taken at insert and shows at commit, so a smaller one can appear after a larger
/// one was read. A reader keeps the events it folded in above its settled cursor, with when it saw them,
/// and moves the cursor only past those seen long enough ago that nothing below them can still commit.
/// </summary>
public static class LateCommits
{
    public static readonly TimeSpan Settle = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The settled cursor after <paramref name="settledSeq"/>: past every recent event seen before
    /// <paramref name="now"/> minus <see cref="Settle"/>, which are dropped from <paramref name="recent"/>.
    /// </summary>
    public static long Advance(long settledSeq, Dictionary<long, DateTimeOffset> recent, DateTimeOffset now)
    {
        var settledUpTo = recent.Where(r => r.Value < now - Settle).Select(r => r.Key).DefaultIfEmpty(0).Max();
        if (settledUpTo <= settledSeq) return settledSeq;
        foreach (var seq in recent.Keys.Where(k => k <= settledUpTo).ToList()) recent.Remove(seq);
        return settledUpTo;
    }
}
