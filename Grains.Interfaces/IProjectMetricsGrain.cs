using Orleans.Concurrency;

namespace Tracking.Contracts;

/// <summary>A project's figures, kept as events happen (keyed by project id).</summary>
[Alias("Tracking.IProjectMetricsGrain")]
public interface IProjectMetricsGrain : IGrainWithGuidKey
{
    [Alias("Report")] Task<MetricsReport> Report(MetricsQuery query);
    [Alias("Links")] Task<LinkMetrics[]> Links(MetricsQuery query);

    /// <summary>Opens and clicks by client, most opens first.</summary>
    [Alias("Clients")] Task<ClientMetrics[]> Clients(MetricsQuery query);

    /// <summary>How many events (of a type, or all) lie in the hours from <paramref name="fromHour"/> on.</summary>
    [Alias("EventCount")] Task<long> EventCount(long fromHour, string? eventType);

    /// <summary>Clicks are coming: keep reading the log, so that a scanner's burst is found within seconds.</summary>
    [Alias("Wake"), OneWay] Task Wake();
}
