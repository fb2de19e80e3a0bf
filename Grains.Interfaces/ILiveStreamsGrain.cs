namespace Tracking.Contracts;

/// <summary>
/// A project's live event streams, across every Gateway: at most <see cref="MaxPerProject"/> at once, each held by
/// a lease that its Gateway renews while the stream is open, so that a Gateway that dies frees its streams.
/// </summary>
[Alias("Tracking.ILiveStreamsGrain")]
public interface ILiveStreamsGrain : IGrainWithGuidKey
{
    /// <summary>Each stream costs a small query twice a second.</summary>
    const int MaxPerProject = 10;

    /// <summary>Whether the stream may start: false when the project holds as many as it may.</summary>
    [Alias("Open")] Task<bool> Open(Guid stream);

    /// <summary>The stream is still open: its lease goes on.</summary>
    [Alias("Renew")] Task Renew(Guid stream);

    [Alias("Close")] Task Close(Guid stream);
}
