namespace Tracking.Contracts;

/// <summary>Resolves an API key to what it grants. A stateless worker: one per silo core, with a small cache.</summary>
[Alias("Tracking.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithIntegerKey
{
    /// <summary>Null for a key that does not exist or was revoked.</summary>
    [Alias("Authenticate")] Task<ApiKeyGrant?> Authenticate(string apiKey);

    /// <summary>Answers when the cluster can run a grain; used by health checks.</summary>
    [Alias("Ping")] Task Ping();
}
