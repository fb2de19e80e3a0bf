namespace Tracking.Contracts;

/// <summary>Maps an API key to its project. A stateless worker: one per silo core, with a small cache.</summary>
[Alias("Tracking.IApiKeyGrain")]
public interface IApiKeyGrain : IGrainWithIntegerKey
{
    [Alias("FindProject")] Task<Guid?> FindProject(string apiKey);

    /// <summary>Answers when the cluster can run a grain; used by health checks.</summary>
    [Alias("Ping")] Task Ping();
}
