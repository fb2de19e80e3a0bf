// Usage: LoadGen <connection string> <emails> <out dir>
// Writes <emails> tracked emails of the "default" project (one transaction) and the files
// pixel-paths.txt and click-paths.txt, one request path per email, with click ids signed by the silo's key.
using Npgsql;
using Tracking.Grains.Emails;
using Tracking.Grains.Links;
using Tracking.Contracts;
using Tracking.Grains;

var (connectionString, count, outDir) = (args[0], int.Parse(args[1]), args[2]);
await using var db = NpgsqlDataSource.Create(connectionString);

// The signing key the silo signs with: the newest, sealed with the secrets key the benchmark started it with.
await using var keyQuery = db.CreateCommand("SELECT id, sealed_key FROM signing_keys ORDER BY id DESC LIMIT 1");
await using var keyRow = await keyQuery.ExecuteReaderAsync();
await keyRow.ReadAsync();
var box = new SecretBox(Convert.FromBase64String(Environment.GetEnvironmentVariable("TRACKING_SECRETS_KEY")!));
var signature = new TrackingSignature(box.Open(keyRow.GetFieldValue<byte[]>(1), SecretBox.SigningKeyContext(keyRow.GetInt64(0))));
await keyRow.DisposeAsync();
await using var projectQuery = db.CreateCommand("SELECT id FROM projects WHERE name = 'default'");
var projectId = (Guid)(await projectQuery.ExecuteScalarAsync())!;

var links = new TrackingLinks(TrackingUrls.At("http://127.0.0.1"), signature);
var tracker = new EmailTracker(links);
var flags = new TrackedFlags(true, true);
var now = TimeProvider.System.GetDatabaseNow();
var records = new List<EmailRecord>(count);
var pixels = new List<string>(count);
var clicks = new List<string>(count);
for (var i = 0; i < count; i++)
{
    var id = Guid.NewGuid();
    var content = tracker.Track(id, $"<html><body><a href=\"https://shop.example/item/{i % 500}\">item</a></body></html>", null, flags);
    records.Add(new EmailRecord
    {
        Id = id, ProjectId = projectId, CreatedAt = now, From = "news@acme.example", To = [$"r{i}@example.com"], Subject = "Bench",
        Html = content.Html, Tracking = flags, Links = content.Links, MessageId = $"{id:N}@acme.example", Status = EmailStatuses.Stored,
    });
    pixels.Add($"/v1/track/open/{id}");
    clicks.Add($"/v1/track/click/{signature.ClickTrackingId(id, 0)}");
}
await new EmailStore(db, links).Insert(records);
await File.WriteAllLinesAsync(Path.Combine(outDir, "pixel-paths.txt"), pixels);
await File.WriteAllLinesAsync(Path.Combine(outDir, "click-paths.txt"), clicks);
Console.WriteLine($"{count} emails written");
