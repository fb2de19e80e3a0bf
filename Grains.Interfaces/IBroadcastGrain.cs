namespace Tracking.Contracts;

/// <summary>One per broadcast: creates its recipients' emails at once and reports their progress.</summary>
[Alias("Tracking.IBroadcastGrain")]
public interface IBroadcastGrain : IGrainWithGuidKey
{
    [Alias("Create")] Task<Outcome<BroadcastCreated>> Create(Guid projectId, BroadcastDraft draft);
    [Alias("Get")] Task<BroadcastView?> Get(Guid projectId);
}
