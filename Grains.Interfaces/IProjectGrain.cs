namespace Tracking.Contracts;

/// <summary>A project's view across its emails.</summary>
[Alias("Tracking.IProjectGrain")]
public interface IProjectGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Newest first, those the query finds: after the cursor (from a previous page) or at an offset. Invalid when
    /// the cursor is not one this API gave out.
    /// </summary>
    [Alias("ListEmails")] Task<Outcome<EmailPage>> ListEmails(EmailQuery query);

    /// <summary>Invalid when the cursor is not one this API gave out.</summary>
    [Alias("ListEvents")] Task<Outcome<EventPage>> ListEvents(EventQuery query);

    /// <summary>
    /// The live stream's next events after <paramref name="after"/> (a cursor from an earlier one; null: from now),
    /// in commit order, none skipped and none twice. Invalid when the cursor is not one this API gave out.
    /// </summary>
    [Alias("StreamEvents")] Task<Outcome<EventStreamPage>> StreamEvents(string? after, int limit);
}
