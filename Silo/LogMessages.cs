using Microsoft.Extensions.Logging;

namespace Tracking.Silo;

/// <summary>The host's log lines, source-generated.</summary>
static partial class LogMessages
{
    [LoggerMessage(3001, LogLevel.Information, "Applied schema migration {Version}")]
    public static partial void MigrationApplied(this ILogger log, string version);

    [LoggerMessage(3002, LogLevel.Information, "Signing with a new key; {Count} keys verify")]
    public static partial void SigningKeyAdded(this ILogger log, int count);

    [LoggerMessage(3003, LogLevel.Warning, "Could not read the signing keys; the ones in use stay")]
    public static partial void SigningKeysNotRead(this ILogger log, Exception ex);

    [LoggerMessage(3004, LogLevel.Information, "Purged {Count} events of project {ProjectId} past its retention")]
    public static partial void EventsPurged(this ILogger log, int count, Guid projectId);

    [LoggerMessage(3005, LogLevel.Warning, "A retention pass failed; the next one goes on where it stopped")]
    public static partial void PurgeFailed(this ILogger log, Exception ex);
}
