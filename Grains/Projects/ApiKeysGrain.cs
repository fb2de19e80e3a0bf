using Orleans.Concurrency;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>A project's API keys: made (the key shown once), listed, revoked. Reentrant: each call is one statement.</summary>
[Reentrant]
public sealed class ApiKeysGrain(ApiKeyStore keys) : Grain, IApiKeysGrain
{
    public const int MaxName = 100;

    Guid ProjectId => this.GetPrimaryKey();

    public async Task<Outcome<ApiKeyCreated>> Create(ApiKeyDraft draft)
    {
        var errors = new Dictionary<string, string[]>();
        var name = draft.Name?.Trim();
        if (string.IsNullOrEmpty(name)) errors["name"] = ["is required"];
        else if (name.Length > MaxName || !StorableText.IsStorable(name)) errors["name"] = [$"must be text of at most {MaxName} characters"];
        var permission = draft.Permission ?? ApiKeyPermissions.FullAccess;
        if (!ApiKeyPermissions.All.Contains(permission)) errors["permission"] = [$"must be one of {string.Join(", ", ApiKeyPermissions.All)}"];
        if (errors.Count > 0) return new Invalid<ApiKeyCreated>(errors);
        return new Done<ApiKeyCreated>(await keys.Create(ProjectId, name!, permission));
    }

    public Task<ApiKeyView[]> List() => keys.List(ProjectId);

    public Task<bool> Revoke(Guid keyId) => keys.Revoke(ProjectId, keyId);
}
