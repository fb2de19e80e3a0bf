namespace Tracking.Contracts;

/// <summary>A project's view across its emails.</summary>
[Alias("Tracking.IProjectGrain")]
public interface IProjectGrain : IGrainWithGuidKey
{
    /// <summary>Newest first: after the cursor (from a previous page) or at an offset. Invalid when the cursor is not one this API gave out.</summary>
    [Alias("ListEmails")] Task<Outcome<EmailPage>> ListEmails(int limit, int offset, string? cursor);

    /// <summary>Invalid when the cursor is not one this API gave out.</summary>
    [Alias("ListEvents")] Task<Outcome<EventPage>> ListEvents(EventQuery query);
}
