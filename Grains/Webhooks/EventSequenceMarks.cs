namespace Tracking.Grains.Webhooks;

/// <summary>
/// The newest event sequence number as the sweep saw it at each pass, and when. Every event numbered up to a
/// mark took its number before that time, so the sweep can tell which events are older than an age without
/// a query, which would have to skip every newer event to find the answer (hundreds of thousands under load).
/// </summary>
public sealed class EventSequenceMarks
{
    readonly Queue<(DateTimeOffset At, long Seq)> marks = new();

    /// <summary>Remembers <paramref name="seq"/> as seen at <paramref name="at"/>; marks older than needed for <paramref name="keep"/> go.</summary>
    public void Seen(long seq, DateTimeOffset at, TimeSpan keep)
    {
        marks.Enqueue((at, seq));
        // The newest mark older than keep still answers for keep; the ones before it are no longer needed.
        while (marks.Count > 1 && marks.ElementAt(1).At <= at - keep) marks.Dequeue();
    }

    /// <summary>The newest sequence number known to have been taken by <paramref name="time"/>; null when none is.</summary>
    public long? TakenBefore(DateTimeOffset time)
    {
        long? seq = null;
        foreach (var (at, s) in marks)
        {
            if (at > time) break;
            seq = s;
        }
        return seq;
    }
}
