using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Tracking.Contracts;

namespace Tracking.Grains.Projects;

/// <summary>
/// Resolves API keys near the caller. What a key grants is cached for a second, so a revoked key is refused
/// everywhere within that; an unknown key for a few seconds, so a burst of bad keys does not become a burst
/// of queries. The cache holds hashes, not keys, and at most <see cref="CacheEntries"/> of them.
/// </summary>
[StatelessWorker]
public sealed class ApiKeyGrain(ApiKeyStore keys, TimeProvider clock, ILogger<ApiKeyGrain> log) : Grain, IApiKeyGrain
{
    public const int CacheEntries = 10_000;
    static readonly TimeSpan FoundFor = TimeSpan.FromSeconds(1), UnknownFor = TimeSpan.FromSeconds(5);
    // last_used_at is a day-to-day figure: written at most once a minute per key.
    static readonly TimeSpan UsedEvery = TimeSpan.FromMinutes(1);
    readonly LruCache<UInt128, (ApiKeyGrant? Grant, DateTimeOffset Until)> cache = new(CacheEntries);

    public async Task<ApiKeyGrant?> Authenticate(string apiKey)
    {
        if (!ApiKeyFormat.IsWellFormed(apiKey)) return null;
        var hash = ApiKeyStore.Hash(apiKey);
        var cacheKey = BitConverter.ToUInt128(hash);
        var now = clock.GetUtcNow();
        if (cache.TryGet(cacheKey, out var hit) && hit.Until > now) return hit.Grant;

        var found = await keys.Find(hash);
        cache.Set(cacheKey, (found?.Grant, now + (found is null ? UnknownFor : FoundFor)));
        if (found is ({ } grant, var lastUsed) && (lastUsed is null || now - lastUsed > UsedEvery))
            try
            {
                await keys.Touch(grant.KeyId);
            }
            catch (Exception ex)
            {
                // A figure for people, not a condition of the request: the next use tries again.
                log.KeyUseNotRecorded(ex, grant.KeyId);
            }
        return found?.Grant;
    }

    public Task Ping() => Task.CompletedTask;
}
