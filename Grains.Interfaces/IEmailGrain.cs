using Orleans.Concurrency;

namespace Tracking.Contracts;

[Alias("Tracking.IEmailGrain")]
public interface IEmailGrain : IGrainWithGuidKey
{
    /// <summary>
    /// Makes the email under this grain's id. When the id names an email already, the project's own is
    /// answered as it is (a retry) if <paramref name="requestHash"/> matches the request that made it, and
    /// is a conflict otherwise.
    /// </summary>
    [Alias("Create")] Task<Outcome<EmailAccepted>> Create(Guid projectId, EmailDraft draft, byte[]? requestHash = null);

    /// <summary>The email, or null when it does not exist or belongs to another project.</summary>
    [Alias("Get"), ReadOnly] Task<EmailView?> Get(Guid projectId);

    /// <summary>
    /// Folds in every committed event and saves the counts, so that events can be deleted: answers which of the
    /// events with the sequence numbers given are in the saved counts.
    /// </summary>
    [Alias("Settle")] Task<long[]> Settle(long[] seqs);
}
