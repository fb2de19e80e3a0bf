using Orleans.Concurrency;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>
/// Resolves API keys near the caller. Found keys are cached for a minute, unknown ones for a few seconds,
/// so a burst of bad keys does not become a burst of queries. The cache holds hashes, not keys, and at
/// most <see cref="CacheEntries"/> of them.
/// </summary>
[StatelessWorker]
public sealed class ApiKeyGrain(ProjectStore projects, TimeProvider clock) : Grain, IApiKeyGrain
{
    public const int CacheEntries = 10_000;
    static readonly TimeSpan FoundFor = TimeSpan.FromMinutes(1), UnknownFor = TimeSpan.FromSeconds(5);
    readonly LruCache<UInt128, (Guid? Project, DateTimeOffset Until)> cache = new(CacheEntries);

    public async Task<Guid?> FindProject(string apiKey)
    {
        if (!ApiKeyFormat.IsWellFormed(apiKey)) return null;
        var hash = ProjectStore.Hash(apiKey);
        var key = BitConverter.ToUInt128(hash);
        var now = clock.GetUtcNow();
        if (cache.TryGet(key, out var hit) && hit.Until > now) return hit.Project;

        var project = await projects.FindProject(hash);
        cache.Set(key, (project, now + (project is null ? UnknownFor : FoundFor)));
        return project;
    }

    public Task Ping() => Task.CompletedTask;
}
