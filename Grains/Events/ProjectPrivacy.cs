using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Events;

/// <summary>What a project keeps of an open or a click (see <c>/v1/privacy</c>), applied to a classified event.</summary>
public readonly record struct KeptData(string IpStorage, bool UserAgent, bool Referer)
{
    public string? Address(string? full) =>
        IpStorage == Tracking.Contracts.IpStorage.Full ? full : IpStorage == Tracking.Contracts.IpStorage.Truncated ? IpAddressPolicy.Truncated(full) : null;
}

/// <summary>
/// Each project's privacy as this silo last read it, so the event log's insert applies it without a join. A project
/// read more than <see cref="Fresh"/> ago is read again in the background while its settings go on being used;
/// one not read yet is left to the insert's join. A change on this silo holds at once, elsewhere within seconds.
/// </summary>
public sealed class ProjectPrivacy(NpgsqlDataSource db, IpAddressPolicy policy, TimeProvider clock, ILogger<ProjectPrivacy> log)
{
    static readonly TimeSpan Fresh = TimeSpan.FromSeconds(5);
    readonly ConcurrentDictionary<Guid, (KeptData Kept, long ReadAt)> projects = new();
    readonly ConcurrentDictionary<Guid, byte> wanted = new();
    int reading;

    /// <summary>The storage of a project that has not chosen one.</summary>
    public string DefaultIpStorage => policy.Default;

    public bool TryGet(Guid projectId, out KeptData kept)
    {
        if (projects.TryGetValue(projectId, out var entry))
        {
            kept = entry.Kept;
            if (clock.GetElapsedTime(entry.ReadAt) > Fresh) Want(projectId);
            return true;
        }
        kept = default;
        Want(projectId);
        return false;
    }

    /// <summary>The project's settings changed: they are read again before the next insert uses them.</summary>
    public void Changed(Guid projectId) => projects.TryRemove(projectId, out _);

    void Want(Guid projectId)
    {
        wanted.TryAdd(projectId, 0);
        if (Interlocked.CompareExchange(ref reading, 1, 0) == 0) _ = Read();
    }

    async Task Read()
    {
        try
        {
            while (!wanted.IsEmpty)
            {
                var ids = wanted.Keys.Take(1000).ToArray();
                foreach (var id in ids) wanted.TryRemove(id, out _);
                await using var command = db.CreateCommand("SELECT id, ip_storage, keep_user_agent, keep_referer FROM projects WHERE id = ANY($1)");
                command.Parameters.Add(new() { Value = ids });
                await using var reader = await command.ExecuteReaderAsync();
                while (await reader.ReadAsync())
                    projects[reader.GetGuid(0)] = (new KeptData(reader.IsDBNull(1) ? policy.Default : reader.GetString(1), reader.GetBoolean(2),
                        reader.GetBoolean(3)), clock.GetTimestamp());
            }
        }
        catch (Exception ex)
        {
            log.PrivacyNotRead(ex);
        }
        finally
        {
            Volatile.Write(ref reading, 0);
        }
        // Wanted while this read was finishing: read again.
        if (!wanted.IsEmpty && Interlocked.CompareExchange(ref reading, 1, 0) == 0) _ = Read();
    }
}
