namespace Tracking.Contracts;

/// <summary>A project's view across its emails.</summary>
[Alias("Tracking.IProjectGrain")]
public interface IProjectGrain : IGrainWithGuidKey
{
    /// <summary>Newest first: after the cursor (from a previous page) or at an offset. Null when the cursor is not one this API gave out.</summary>
    [Alias("ListEmails")] Task<EmailPage?> ListEmails(int limit, int offset, string? cursor);

    /// <summary>Null when the cursor is not one this API gave out.</summary>
    [Alias("ListEvents")] Task<EventPage?> ListEvents(EventQuery query);
}
