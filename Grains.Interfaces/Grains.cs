using Orleans.Concurrency;

namespace Tracking;

[Alias("Tracking.IEmailGrain")]
public interface IEmailGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Makes the email under this grain's id. When the id names an email already, the project's own is
    /// answered as it is (a retry) if <paramref name="requestHash"/> matches the request that made it.
    /// </summary>
    [Alias("Create")] Task<EmailCreation> Create(Guid projectId, EmailDraft draft, byte[]? requestHash = null);

    /// <summary>The email, or null when it does not exist or belongs to another project.</summary>
    [Alias("Get"), ReadOnly] Task<EmailView?> Get(Guid projectId);
}

/// <summary>
/// The hot path: records opens and clicks. A stateless worker near the caller; it does not wake the email's
/// grain, which folds the committed events into its aggregates when they are read.
/// </summary>
[Alias("Tracking.IEngagementGrain")]
public interface IEngagementGrain : IGrainWithIntegerKey
{
    /// <summary>
    /// Records hits that arrived together (the Gateway coalesces concurrent requests into one call): completes
    /// once each is committed or found not recordable, with one outcome per hit, in order.
    /// </summary>
    [Alias("Record")] Task<HitOutcome[]> Record(TrackingHit[] hits);
}

/// <summary>A project's view across its emails.</summary>
[Alias("Tracking.IProjectGrain")]
public interface IProjectGrain : IGrainWithGuidKey
{
    /// <summary>Newest first: after the cursor (from a previous page) or at an offset. Null when the cursor is not one this API gave out.</summary>
    [Alias("ListEmails")] Task<EmailPage?> ListEmails(int limit, int offset, string? cursor);

    /// <summary>Null when the cursor is not one this API gave out.</summary>
    [Alias("ListEvents")] Task<EventPage?> ListEvents(EventQuery query);
}

/// <summary>One per broadcast: creates its recipients' emails at once and reports their progress.</summary>
[Alias("Tracking.IBroadcastGrain")]
public interface IBroadcastGrain : IGrainWithGuidKey
{
    [Alias("Create")] Task<BroadcastCreation> Create(Guid projectId, BroadcastDraft draft);
    [Alias("Get")] Task<BroadcastView?> Get(Guid projectId);
}

/// <summary>Maps an API key to its project. A stateless worker: one per silo core, with a small cache.</summary>
[Alias("Tracking.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithIntegerKey
{
    [Alias("FindProject")] Task<Guid?> FindProject(string apiKey);

    /// <summary>Answers when the cluster can run a grain; used by health checks.</summary>
    [Alias("Ping")] Task Ping();
}

/// <summary>
/// A grain call failed because the database could not be reached for a moment (restarting, failing over).
/// The caller may try again. The silo turns transient Npgsql errors into this, which crosses to a separate
/// Gateway as itself (Npgsql's exceptions have no Orleans codec).
/// </summary>
[GenerateSerializer, Alias("Tracking.DatabaseUnavailableException")]
public sealed class DatabaseUnavailableException : Exception
{
    public DatabaseUnavailableException() { }
    public DatabaseUnavailableException(string message) : base(message) { }
}
