namespace Tracking.Gateway;

/// <summary>The Gateway's log lines, source-generated.</summary>
static partial class LogMessages
{
    [LoggerMessage(2001, LogLevel.Warning, "Open of {EmailId} was not recorded")]
    public static partial void OpenNotRecorded(this ILogger log, Exception ex, Guid emailId);

    [LoggerMessage(2002, LogLevel.Error, "Click on {EmailId} could not be checked")]
    public static partial void ClickNotChecked(this ILogger log, Exception ex, Guid emailId);

    [LoggerMessage(2003, LogLevel.Warning, "{Count} opens and clicks were not recorded in the last {Seconds} s: " +
        "{RateLimited} over the per-address limit, {QueueFull} with the queue to the cluster full")]
    public static partial void HitsDropped(this ILogger log, long count, double seconds, long rateLimited, long queueFull);

    [LoggerMessage(2004, LogLevel.Warning, "The cluster could not be reached for a health check")]
    public static partial void ClusterUnreachable(this ILogger log, Exception ex);

    [LoggerMessage(2005, LogLevel.Warning, "Live stream {StreamId} of project {ProjectId} could not give back its place; its lease runs out in a minute")]
    public static partial void StreamNotReleased(this ILogger log, Exception ex, Guid streamId, Guid projectId);
}
