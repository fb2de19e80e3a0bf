namespace Tracking;

/// <summary>
/// The email grain's persisted state. Counts are a snapshot: on activation the grain folds in
/// events after <see cref="LastEventSeq"/> from the event log, so a crash between an event's commit
/// and the next state write loses nothing.
/// </summary>
[GenerateSerializer, Alias("Tracking.EmailState")]
public sealed class EmailState
{
    [Id(0)] public Guid ProjectId { get; set; }
    [Id(1)] public DateTimeOffset CreatedAt { get; set; }
    [Id(2)] public EmailView? Email { get; set; }
    /// <summary>Destinations of the rewritten links; a plain click token carries an index into it.</summary>
    [Id(3)] public List<string> Links { get; set; } = [];
    [Id(4)] public DateTimeOffset? OpenedAt { get; set; }
    [Id(5)] public DateTimeOffset? ClickedAt { get; set; }
    [Id(6)] public int OpenCount { get; set; }
    [Id(7)] public int ClickCount { get; set; }
    [Id(8)] public Dictionary<string, int> LinkClicks { get; set; } = [];
    [Id(9)] public long LastEventSeq { get; set; }
}
