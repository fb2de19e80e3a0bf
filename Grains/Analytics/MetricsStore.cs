using System.Text.Json;
using Npgsql;
using Tracking.Contracts;

namespace Tracking.Grains.Analytics;

/// <summary>Counts of one hour of one scope.</summary>
public sealed class HourCounts
{
    public int Sent, StoredSent, Delivered, Failed, Opens, UniqueOpens, Clicks, UniqueClicks;
    // People apart from machines: the unique figures of people, and machines' opens and clicks by reason.
    public int UniqueHumanOpens, UniqueHumanClicks, ApplePrivacyOpens, PrefetchOpens, ScannerClicks;

    public void Add(HourCounts c)
    {
        Sent += c.Sent; StoredSent += c.StoredSent; Delivered += c.Delivered; Failed += c.Failed;
        Opens += c.Opens; UniqueOpens += c.UniqueOpens; Clicks += c.Clicks; UniqueClicks += c.UniqueClicks;
        UniqueHumanOpens += c.UniqueHumanOpens; UniqueHumanClicks += c.UniqueHumanClicks;
        ApplePrivacyOpens += c.ApplePrivacyOpens; PrefetchOpens += c.PrefetchOpens; ScannerClicks += c.ScannerClicks;
    }

    /// <summary>The columns of <c>metric_hours</c> after its key, in the order <see cref="Columns"/> gives their values.</summary>
    public const string ColumnNames = "sent, stored_sent, delivered, failed, opens, unique_opens, clicks, unique_clicks, " +
        "unique_human_opens, unique_human_clicks, apple_privacy_opens, prefetch_opens, scanner_clicks";

    public static readonly Func<HourCounts, int>[] Columns =
    [
        c => c.Sent, c => c.StoredSent, c => c.Delivered, c => c.Failed, c => c.Opens, c => c.UniqueOpens, c => c.Clicks, c => c.UniqueClicks,
        c => c.UniqueHumanOpens, c => c.UniqueHumanClicks, c => c.ApplePrivacyOpens, c => c.PrefetchOpens, c => c.ScannerClicks,
    ];

    static readonly Action<HourCounts, int>[] Setters =
    [
        (c, v) => c.Sent = v, (c, v) => c.StoredSent = v, (c, v) => c.Delivered = v, (c, v) => c.Failed = v, (c, v) => c.Opens = v,
        (c, v) => c.UniqueOpens = v, (c, v) => c.Clicks = v, (c, v) => c.UniqueClicks = v, (c, v) => c.UniqueHumanOpens = v,
        (c, v) => c.UniqueHumanClicks = v, (c, v) => c.ApplePrivacyOpens = v, (c, v) => c.PrefetchOpens = v, (c, v) => c.ScannerClicks = v,
    ];

    /// <summary>Counts from a row's columns <see cref="ColumnNames"/>, starting at <paramref name="at"/>.</summary>
    public static HourCounts Read(Npgsql.NpgsqlDataReader reader, int at)
    {
        var c = new HourCounts();
        for (var i = 0; i < Setters.Length; i++) Setters[i](c, reader.GetInt32(at + i));
        return c;
    }
}

/// <summary>Clicks on one link in one hour of one scope.</summary>
public sealed class LinkCounts
{
    public int Clicks, UniqueClicks;
}

/// <summary>Opens and clicks by one client in one hour of one scope.</summary>
public sealed class ClientCounts
{
    public int Opens, HumanOpens, Clicks, HumanClicks;

    public void Add(ClientCounts c)
    {
        Opens += c.Opens; HumanOpens += c.HumanOpens; Clicks += c.Clicks; HumanClicks += c.HumanClicks;
    }
}

/// <summary>Where a project's figures have read the event log to (see <see cref="Events.LateCommits"/>).</summary>
public sealed record MetricsCursor(long SettledSeq, Dictionary<long, DateTimeOffset> Recent);

/// <summary>
/// The <c>metric_hours</c>, <c>metric_link_hours</c> and <c>metric_cursors</c> tables: a project's figures,
/// added to by the metrics grain and summed for reports.
/// </summary>
public sealed class MetricsStore(NpgsqlDataSource db)
{
    /// <summary>The scope of the whole project; a tag's is <c>tag:name:value</c>, a broadcast's <c>broadcast:id</c>.</summary>
    public const string All = "";
    public static string TagScope(string tag) => "tag:" + tag;
    public static string BroadcastScope(Guid broadcast) => $"broadcast:{broadcast:N}";

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<MetricsCursor> Cursor(Guid projectId)
    {
        await using var command = db.CreateCommand("SELECT settled_seq, recent::text FROM metric_cursors WHERE project_id = $1");
        command.Parameters.Add(new() { Value = projectId });
        await using var reader = await command.ExecuteReaderAsync();
        if (!await reader.ReadAsync()) return new(0, []);
        return new(reader.GetInt64(0), JsonSerializer.Deserialize<Dictionary<long, DateTimeOffset>>(reader.GetString(1), Json)!);
    }

    /// <summary>Adds the changes and moves the cursor, in one transaction: both or neither.</summary>
    public async Task Save(Guid projectId, MetricsChanges changes, MetricsCursor cursor)
    {
        await using var batch = db.CreateBatch();
        if (changes.Hours.Count > 0)
        {
            var hours = changes.Hours.ToList();
            var columns = HourCounts.ColumnNames.Split(", ");
            var add = new NpgsqlBatchCommand($"""
                INSERT INTO metric_hours AS m (project_id, scope, hour, {HourCounts.ColumnNames})
                SELECT $1, * FROM unnest($2::text[], $3::bigint[], {string.Join(", ", columns.Select((_, i) => $"${i + 4}::int[]"))})
                ON CONFLICT (project_id, scope, hour) DO UPDATE SET
                    {string.Join(", ", columns.Select(c => $"{c} = m.{c} + excluded.{c}"))}
                """);
            add.Parameters.Add(new() { Value = projectId });
            add.Parameters.Add(new() { Value = hours.Select(h => h.Key.Scope).ToArray() });
            add.Parameters.Add(new() { Value = hours.Select(h => h.Key.Hour).ToArray() });
            foreach (var column in HourCounts.Columns)
                add.Parameters.Add(new() { Value = hours.Select(h => column(h.Value)).ToArray() });
            batch.BatchCommands.Add(add);
        }
        if (changes.Links.Count > 0)
        {
            var links = changes.Links.ToList();
            var add = new NpgsqlBatchCommand("""
                INSERT INTO metric_link_hours AS m (project_id, scope, hour, url_hash, url, clicks, unique_clicks)
                SELECT $1, l.scope, l.hour, sha256(convert_to(l.url, 'UTF8')), l.url, l.clicks, l.unique_clicks
                FROM unnest($2::text[], $3::bigint[], $4::text[], $5::int[], $6::int[]) AS l(scope, hour, url, clicks, unique_clicks)
                ON CONFLICT (project_id, scope, hour, url_hash) DO UPDATE SET
                    clicks = m.clicks + excluded.clicks, unique_clicks = m.unique_clicks + excluded.unique_clicks
                """);
            add.Parameters.Add(new() { Value = projectId });
            add.Parameters.Add(new() { Value = links.Select(l => l.Key.Scope).ToArray() });
            add.Parameters.Add(new() { Value = links.Select(l => l.Key.Hour).ToArray() });
            add.Parameters.Add(new() { Value = links.Select(l => l.Key.Url).ToArray() });
            add.Parameters.Add(new() { Value = links.Select(l => l.Value.Clicks).ToArray() });
            add.Parameters.Add(new() { Value = links.Select(l => l.Value.UniqueClicks).ToArray() });
            batch.BatchCommands.Add(add);
        }
        if (changes.Clients.Count > 0)
        {
            var clients = changes.Clients.ToList();
            var add = new NpgsqlBatchCommand("""
                INSERT INTO metric_client_hours AS m (project_id, scope, hour, name, os, device, opens, human_opens, clicks, human_clicks)
                SELECT $1, * FROM unnest($2::text[], $3::bigint[], $4::text[], $5::text[], $6::text[], $7::int[], $8::int[], $9::int[], $10::int[])
                ON CONFLICT (project_id, scope, hour, name, os, device) DO UPDATE SET
                    opens = m.opens + excluded.opens, human_opens = m.human_opens + excluded.human_opens,
                    clicks = m.clicks + excluded.clicks, human_clicks = m.human_clicks + excluded.human_clicks
                """);
            add.Parameters.Add(new() { Value = projectId });
            add.Parameters.Add(new() { Value = clients.Select(c => c.Key.Scope).ToArray() });
            add.Parameters.Add(new() { Value = clients.Select(c => c.Key.Hour).ToArray() });
            add.Parameters.Add(new() { Value = clients.Select(c => c.Key.Client.Name).ToArray() });
            add.Parameters.Add(new() { Value = clients.Select(c => c.Key.Client.Os).ToArray() });
            add.Parameters.Add(new() { Value = clients.Select(c => c.Key.Client.Device).ToArray() });
            foreach (var column in new Func<ClientCounts, int>[] { c => c.Opens, c => c.HumanOpens, c => c.Clicks, c => c.HumanClicks })
                add.Parameters.Add(new() { Value = clients.Select(c => column(c.Value)).ToArray() });
            batch.BatchCommands.Add(add);
        }
        var move = new NpgsqlBatchCommand("""
            INSERT INTO metric_cursors (project_id, settled_seq, recent) VALUES ($1, $2, $3::jsonb)
            ON CONFLICT (project_id) DO UPDATE SET settled_seq = excluded.settled_seq, recent = excluded.recent
            """);
        move.Parameters.Add(new() { Value = projectId });
        move.Parameters.Add(new() { Value = cursor.SettledSeq });
        move.Parameters.Add(new() { Value = JsonSerializer.Serialize(cursor.Recent, Json) });
        batch.BatchCommands.Add(move);
        // Without a transaction of its own, the batch is one implicit transaction.
        await batch.ExecuteNonQueryAsync();
    }

    /// <summary>A scope's counts of the hours from <paramref name="first"/> to <paramref name="last"/>, by hour.</summary>
    public async Task<Dictionary<long, HourCounts>> Hours(Guid projectId, string scope, long first, long last)
    {
        await using var command = db.CreateCommand($"""
            SELECT hour, {HourCounts.ColumnNames} FROM metric_hours
            WHERE project_id = $1 AND scope = $2 AND hour BETWEEN $3 AND $4
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = first });
        command.Parameters.Add(new() { Value = last });
        var hours = new Dictionary<long, HourCounts>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            hours[reader.GetInt64(0)] = HourCounts.Read(reader, 1);
        return hours;
    }

    /// <summary>A scope's clicks per link from <paramref name="first"/> on, most clicked first.</summary>
    public async Task<LinkMetrics[]> Links(Guid projectId, string scope, long first)
    {
        await using var command = db.CreateCommand("""
            SELECT url, sum(clicks)::bigint AS clicks, sum(unique_clicks)::bigint AS unique_clicks FROM metric_link_hours
            WHERE project_id = $1 AND scope = $2 AND hour >= $3
            GROUP BY url_hash, url
            ORDER BY clicks DESC, unique_clicks DESC, url COLLATE "C"
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = first });
        var links = new List<LinkMetrics>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) links.Add(new LinkMetrics(reader.GetString(0), reader.GetInt64(1), reader.GetInt64(2)));
        return links.ToArray();
    }

    /// <summary>A scope's opens and clicks by client from <paramref name="first"/> on, most opens first.</summary>
    public async Task<ClientMetrics[]> Clients(Guid projectId, string scope, long first)
    {
        await using var command = db.CreateCommand("""
            SELECT name, os, device, sum(opens)::bigint AS opens, sum(human_opens)::bigint, sum(clicks)::bigint AS clicks, sum(human_clicks)::bigint
            FROM metric_client_hours
            WHERE project_id = $1 AND scope = $2 AND hour >= $3
            GROUP BY name, os, device
            ORDER BY opens DESC, clicks DESC, name COLLATE "C", os COLLATE "C", device COLLATE "C"
            """);
        command.Parameters.Add(new() { Value = projectId });
        command.Parameters.Add(new() { Value = scope });
        command.Parameters.Add(new() { Value = first });
        var clients = new List<ClientMetrics>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
            clients.Add(new ClientMetrics(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3), reader.GetInt64(4),
                reader.GetInt64(5), reader.GetInt64(6)));
        return clients.ToArray();
    }

    /// <summary>Drops a project's hours before <paramref name="oldest"/>.</summary>
    public async Task Prune(Guid projectId, long oldest)
    {
        await using var batch = db.CreateBatch();
        foreach (var table in new[] { "metric_hours", "metric_link_hours", "metric_client_hours" })
            batch.BatchCommands.Add(new($"DELETE FROM {table} WHERE project_id = $1 AND hour < $2")
                { Parameters = { new() { Value = projectId }, new() { Value = oldest } } });
        await batch.ExecuteNonQueryAsync();
    }
}
