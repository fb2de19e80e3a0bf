namespace Tracking.Contracts;

/// <summary>A project's API keys (keyed by project id).</summary>
[Alias("Tracking.IApiKeysGrain")]
public interface IApiKeysGrain : IGrainWithGuidKey
{
    [Alias("Create")] Task<Outcome<ApiKeyCreated>> Create(ApiKeyDraft draft);
    [Alias("List")] Task<ApiKeyView[]> List();

    /// <summary>False when the project has no such key (or it is revoked already).</summary>
    [Alias("Revoke")] Task<bool> Revoke(Guid keyId);
}
