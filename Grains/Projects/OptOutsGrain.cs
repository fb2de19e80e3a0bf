using Orleans.Concurrency;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>A project's recipients who are not tracked. Reentrant: each call is one statement.</summary>
[Reentrant]
public sealed class OptOutsGrain(OptOutStore optOuts) : Grain, IOptOutsGrain
{
    Guid ProjectId => this.GetPrimaryKey();

    public async Task<Outcome<OptOutView>> Add(OptOutDraft draft) =>
        draft.Email is { Length: <= 320 } && OptOutStore.Bare(draft.Email) is { } address && StorableText.IsStorable(address)
            ? new Done<OptOutView>(await optOuts.Add(ProjectId, address))
            : new Invalid<OptOutView>(new() { ["email"] = ["must be an email address"] });

    public Task<OptOutPage> List(int limit, int offset) => optOuts.List(ProjectId, limit, offset);

    public async Task<bool> Remove(string email) => OptOutStore.Bare(email) is { } address && await optOuts.Remove(ProjectId, address);
}
