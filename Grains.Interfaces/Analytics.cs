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

[GenerateSerializer, Immutable, Alias("Tracking.EventItem")]
public sealed record EventItem(
    [property: Id(0)] string Id,
    [property: Id(1)] Guid EmailId,
    [property: Id(2)] string Type,
    [property: Id(3)] DateTimeOffset CreatedAt,
    [property: Id(4)] string? IpAddress,
    [property: Id(5)] string? UserAgent,
    [property: Id(6)] string? Referer,
    [property: Id(7)] string? Link,
    [property: Id(8)] EmailTag[] Tags);

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
    [property: Id(3)] Guid? BroadcastId);

[GenerateSerializer, Immutable, Alias("Tracking.MetricsFigures")]
public sealed record MetricsFigures(
    [property: Id(0)] long Sent,
    [property: Id(1)] long Delivered,
    [property: Id(2)] long Opens,
    [property: Id(3)] long UniqueOpens,
    [property: Id(4)] long Clicks,
    [property: Id(5)] long UniqueClicks,
    [property: Id(6)] decimal OpenRate,
    [property: Id(7)] decimal ClickRate,
    [property: Id(8)] decimal ClickToOpenRate);

[GenerateSerializer, Immutable, Alias("Tracking.MetricsBucket")]
public sealed record MetricsBucket([property: Id(0)] DateTimeOffset Start, [property: Id(1)] MetricsFigures Figures);

[GenerateSerializer, Immutable, Alias("Tracking.MetricsReport")]
public sealed record MetricsReport(
    [property: Id(0)] DateTimeOffset From,
    [property: Id(1)] DateTimeOffset To,
    [property: Id(2)] string GroupBy,
    [property: Id(3)] MetricsFigures Totals,
    [property: Id(4)] MetricsBucket[] Series);

[GenerateSerializer, Immutable, Alias("Tracking.LinkMetrics")]
public sealed record LinkMetrics([property: Id(0)] string Url, [property: Id(1)] long Clicks, [property: Id(2)] long UniqueClicks);
