namespace Tracking.Grains.Emails;

/// <summary>
/// The email grain's persisted aggregates (the email itself is a row of <c>emails</c>). They are a
/// snapshot: on activation the grain folds in events after <see cref="LastEventSeq"/> from the event log,
/// so a crash between an event's commit and the next state write loses nothing. Every event up to
/// <see cref="LastEventSeq"/> is folded in, and so is each one in <see cref="Recent"/> (read lately, with
/// when): in a cluster, another silo's event log may still commit a smaller sequence number for a while.
/// </summary>
[GenerateSerializer, Alias("Tracking.EmailState")]
public sealed class EmailState
{
    [Id(0)] public DateTimeOffset? OpenedAt { get; set; }
    [Id(1)] public DateTimeOffset? ClickedAt { get; set; }
    [Id(2)] public int OpenCount { get; set; }
    [Id(3)] public int ClickCount { get; set; }
    [Id(4)] public Dictionary<string, int> LinkClicks { get; set; } = [];
    [Id(5)] public long LastEventSeq { get; set; }
    [Id(6)] public Dictionary<long, DateTimeOffset> Recent { get; set; } = [];
}
