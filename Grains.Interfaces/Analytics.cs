namespace Tracking.Contracts;

/// <summary><c>GET /v1/events</c>: newest first; <see cref="Cursor"/> (from a previous page) or <see cref="Offset"/>.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EventQuery")]
public sealed record EventQuery(
    [property: Id(0)] Guid? EmailId,
    [property: Id(1)] string? EventType,
    [property: Id(2)] int Days,
    [property: Id(3)] int Limit,
    [property: Id(4)] int Offset,
    [property: Id(5)] string? Cursor);

/// <summary>
/// The program behind an open or a click, as far as its user agent tells: <c>unknown</c> for what it does not.
/// <see cref="Device"/> is desktop, mobile, tablet or unknown.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tracking.EventClient")]
public sealed record EventClient(
    [property: Id(0)] string Name,
    [property: Id(1)] string Os,
    [property: Id(2)] string Device)
{
    public const string Unknown = "unknown";
}

/// <summary>One event of <c>GET /v1/events</c>.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EventItem")]
public sealed record EventItem
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required Guid EmailId { get; init; }
    [Id(2)] public required string Type { get; init; }
    [Id(3)] public required DateTimeOffset CreatedAt { get; init; }
    [Id(4)] public string? IpAddress { get; init; }
    [Id(5)] public string? UserAgent { get; init; }
    [Id(6)] public string? Referer { get; init; }
    [Id(7)] public string? Link { get; init; }
    [Id(8)] public required EmailTag[] Tags { get; init; }
    /// <summary>An open's or a click's client; null for the other events.</summary>
    [Id(9)] public EventClient? Client { get; init; }
    /// <summary>Null for a person (or an event that is neither an open nor a click), else a <see cref="MachineReasons"/> reason.</summary>
    [Id(10)] public string? Machine { get; init; }
}

/// <summary>An event of the live stream, with the cursor that resumes after it (its SSE id).</summary>
[GenerateSerializer, Immutable, Alias("Tracking.StreamedEvent")]
public sealed record StreamedEvent([property: Id(0)] string Cursor, [property: Id(1)] EventItem Event);

/// <summary>The live stream's next events, and where it goes on from.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EventStreamPage")]
public sealed record EventStreamPage([property: Id(0)] StreamedEvent[] Events, [property: Id(1)] string Next);

[GenerateSerializer, Immutable, Alias("Tracking.EventPage")]
public sealed record EventPage(
    [property: Id(0)] EventItem[] Data,
    [property: Id(1)] long Total,
    [property: Id(2)] int Limit,
    [property: Id(3)] int Offset,
    [property: Id(4)] bool HasMore,
    [property: Id(5)] string? NextCursor);

/// <summary><c>GET /v1/metrics</c> and <c>/v1/metrics/links</c>. Tag is "name:value".</summary>
[GenerateSerializer, Immutable, Alias("Tracking.MetricsQuery")]
public sealed record MetricsQuery(
    [property: Id(0)] int Days,
    [property: Id(1)] string GroupBy,
    [property: Id(2)] string? Tag,
    [property: Id(3)] Guid? BroadcastId,
    [property: Id(4)] bool ExcludeMachine = false);

/// <summary>Counts and rates over a period; rates are percentages, to two decimals.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.MetricsFigures")]
public sealed record MetricsFigures
{
    [Id(0)] public required long Sent { get; init; }
    [Id(1)] public required long Delivered { get; init; }
    [Id(2)] public required long Opens { get; init; }
    [Id(3)] public required long UniqueOpens { get; init; }
    [Id(4)] public required long Clicks { get; init; }
    [Id(5)] public required long UniqueClicks { get; init; }
    [Id(6)] public required decimal OpenRate { get; init; }
    [Id(7)] public required decimal ClickRate { get; init; }
    [Id(8)] public required decimal ClickToOpenRate { get; init; }
    // People's opens and clicks apart from machines' (see MachineReasons), and the rates of people alone.
    [Id(9)] public required long HumanOpens { get; init; }
    [Id(10)] public required long UniqueHumanOpens { get; init; }
    [Id(11)] public required long HumanClicks { get; init; }
    [Id(12)] public required long UniqueHumanClicks { get; init; }
    [Id(13)] public required decimal HumanOpenRate { get; init; }
    [Id(14)] public required decimal HumanClickRate { get; init; }
    [Id(15)] public required decimal HumanClickToOpenRate { get; init; }
    /// <summary>Machines' opens and clicks, by reason.</summary>
    [Id(16)] public required Dictionary<string, long> MachineOpens { get; init; }
    [Id(17)] public required Dictionary<string, long> MachineClicks { get; init; }
}

[GenerateSerializer, Immutable, Alias("Tracking.MetricsBucket")]
public sealed record MetricsBucket([property: Id(0)] DateTimeOffset Start, [property: Id(1)] MetricsFigures Figures);

[GenerateSerializer, Immutable, Alias("Tracking.MetricsReport")]
public sealed record MetricsReport(
    [property: Id(0)] DateTimeOffset From,
    [property: Id(1)] DateTimeOffset To,
    [property: Id(2)] string GroupBy,
    [property: Id(3)] MetricsFigures Totals,
    [property: Id(4)] MetricsBucket[] Series);

/// <summary>Opens and clicks by one client (name, os, device), and how many of them were people's.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.ClientMetrics")]
public sealed record ClientMetrics(
    [property: Id(0)] string Name,
    [property: Id(1)] string Os,
    [property: Id(2)] string Device,
    [property: Id(3)] long Opens,
    [property: Id(4)] long HumanOpens,
    [property: Id(5)] long Clicks,
    [property: Id(6)] long HumanClicks);

[GenerateSerializer, Immutable, Alias("Tracking.LinkMetrics")]
public sealed record LinkMetrics([property: Id(0)] string Url, [property: Id(1)] long Clicks, [property: Id(2)] long UniqueClicks);
