using System.Diagnostics.Metrics;

namespace Tracking.Grains;

/// <summary>The silo's own instruments, on the meter <see cref="MeterName"/>; /metrics exports them.</summary>
public static class SiloMetrics
{
    public const string MeterName = "Tracking.Silo";
    static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> EventsRecorded =
        Meter.CreateCounter<long>("tracking.events.recorded", "{event}", "Events committed to the event log, by type");

    /// <summary>Reasons: <c>untracked</c> (no such email, or it does not track this), <c>bad_data</c> (a row the database refused).</summary>
    public static readonly Counter<long> EventsDropped =
        Meter.CreateCounter<long>("tracking.events.dropped", "{event}", "Opens and clicks the event log did not record, by type and reason");

    public static readonly Histogram<double> CommitDuration =
        Meter.CreateHistogram("tracking.events.commit.duration", "s", "Time to commit one group of opens and clicks", advice:
            new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5] });

    public static readonly Histogram<int> CommitBatch =
        Meter.CreateHistogram("tracking.events.commit.size", "{event}", "Opens and clicks committed together", advice:
            new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000] });

    /// <summary>Outcomes: <c>delivered</c>, <c>retry</c>, <c>failed</c>.</summary>
    public static readonly Counter<long> WebhookAttempts =
        Meter.CreateCounter<long>("tracking.webhooks.attempts", "{attempt}", "Webhook delivery attempts, by outcome");

    /// <summary>Outcomes: <c>sent</c>, <c>retry</c>, <c>failed</c>.</summary>
    public static readonly Counter<long> SmtpOutcomes =
        Meter.CreateCounter<long>("tracking.smtp.outcomes", "{email}", "Emails handed to the SMTP relay, by outcome");

    static long outboxDepth;

    static SiloMetrics() =>
        Meter.CreateObservableGauge("tracking.outbox.depth", () => Volatile.Read(ref outboxDepth), "{email}", "Emails waiting to be sent");

    public static void OutboxDepth(long emails) => Volatile.Write(ref outboxDepth, emails);

    public static KeyValuePair<string, object?> Tag(string name, string value) => new(name, value);
}
