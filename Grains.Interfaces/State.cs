namespace Tracking;

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

/// <summary>Counts of one hour.</summary>
[GenerateSerializer, Alias("Tracking.HourCounts")]
public sealed class HourCounts
{
    [Id(0)] public int Sent { get; set; }
    /// <summary>Sent while no relay was configured: these count as delivered.</summary>
    [Id(1)] public int StoredSent { get; set; }
    [Id(2)] public int Delivered { get; set; }
    [Id(3)] public int Failed { get; set; }
    [Id(4)] public int Opens { get; set; }
    /// <summary>Emails whose first open fell in this hour.</summary>
    [Id(5)] public int UniqueOpens { get; set; }
    [Id(6)] public int Clicks { get; set; }
    /// <summary>Emails whose first click fell in this hour.</summary>
    [Id(7)] public int UniqueClicks { get; set; }
}

[GenerateSerializer, Alias("Tracking.LinkCounts")]
public sealed class LinkCounts
{
    [Id(0)] public int Clicks { get; set; }
    /// <summary>Emails whose first click on this link fell in the hour.</summary>
    [Id(1)] public int UniqueClicks { get; set; }
}

/// <summary>Hourly counts of one slice of a project: all of it, one tag, or one broadcast.</summary>
[GenerateSerializer, Alias("Tracking.MetricsScope")]
public sealed class MetricsScope
{
    /// <summary>Keyed by Unix hour (seconds / 3600).</summary>
    [Id(0)] public Dictionary<long, HourCounts> Hours { get; set; } = [];
    [Id(1)] public Dictionary<long, Dictionary<string, LinkCounts>> Links { get; set; } = [];
}

/// <summary>
/// A project's figures and how far they have read the event log: every event with a sequence number up to
/// <see cref="SettledSeq"/> is counted, and so is each one in <see cref="Recent"/> (read lately, with when).
/// Counts and cursor are saved together, so after a crash the replay counts each event exactly once.
/// </summary>
[GenerateSerializer, Alias("Tracking.ProjectMetricsState")]
public sealed class ProjectMetricsState
{
    [Id(0)] public long SettledSeq { get; set; }
    [Id(1)] public Dictionary<long, DateTimeOffset> Recent { get; set; } = [];
    [Id(2)] public MetricsScope All { get; set; } = new();
    [Id(3)] public Dictionary<string, MetricsScope> Tags { get; set; } = [];
    [Id(4)] public Dictionary<Guid, MetricsScope> Broadcasts { get; set; } = [];
}
