using Orleans.Concurrency;
using Tracking.Emails;

namespace Tracking.Projects;

/// <summary>A project's reads across its emails. Reentrant: the reads are independent.</summary>
[Reentrant]
public sealed class ProjectGrain(EmailStore emails) : Grain, IProjectGrain
{
    public Task<EmailPage> ListEmails(int limit, int offset) => emails.List(this.GetPrimaryKey(), limit, offset);
}
