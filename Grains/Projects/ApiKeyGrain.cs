using System.Collections.Concurrent;
using Orleans.Concurrency;

namespace Tracking.Projects;

/// <summary>
/// Resolves API keys near the caller. Found keys are cached for a minute, unknown ones for a few seconds,
/// so a burst of bad keys does not become a burst of queries.
/// </summary>
[StatelessWorker]
public sealed class ApiKeyGrain(ProjectStore projects, TimeProvider clock) : Grain, IApiKeyGrain
{
    static readonly TimeSpan FoundFor = TimeSpan.FromMinutes(1), UnknownFor = TimeSpan.FromSeconds(5);
    readonly ConcurrentDictionary<string, (Guid? Project, DateTimeOffset Until)> cache = new();

    public async Task<Guid?> FindProject(string apiKey)
    {
        var now = clock.GetUtcNow();
        if (cache.TryGetValue(apiKey, out var hit) && hit.Until > now) return hit.Project;
        if (cache.Count > 10_000) cache.Clear();

        var project = apiKey.StartsWith(ProjectStore.KeyPrefix, StringComparison.Ordinal) && apiKey.Length < 200
            ? await projects.FindProject(apiKey)
            : null;
        cache[apiKey] = (project, now + (project is null ? UnknownFor : FoundFor));
        return project;
    }

    public Task Ping() => Task.CompletedTask;
}
