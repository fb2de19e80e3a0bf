using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Tracking.Silo;
using Tracking.Tests.Infrastructure;
using Tracking.Grains.Webhooks;
using Tracking.Grains;

namespace Tracking.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public class SecretsAtRestTests(TrackingStack stack)
{
    [Fact]
    public async Task Webhook_secrets_are_stored_sealed_and_a_rotations_old_secret_is_forgotten_when_its_day_ends()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var created = await (await client.PostAsJsonAsync("/v1/webhooks", new { url = stack.Receiver.Url("sealed"), events = new[] { "email.opened" } })).Json();
        var id = Guid.Parse(created["id"]!.GetValue<string>());
        var raw = Convert.FromBase64String(created["secret"]!.GetValue<string>()["whsec_".Length..]);

        var stored = await Bytes("SELECT secret FROM webhooks WHERE id = $1", id);
        Assert.NotEqual(raw, stored);
        Assert.Equal(raw, TrackingStack.Box.Open(stored!, SecretBox.WebhookContext(id)));

        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/v1/webhooks/{id}/rotate-secret", null)).StatusCode);
        Assert.Equal(raw, TrackingStack.Box.Open((await Bytes("SELECT previous_secret FROM webhooks WHERE id = $1", id))!, SecretBox.WebhookContext(id)));
        await stack.Scalar("UPDATE webhooks SET previous_secret_expires_at = now() - interval '1 second' WHERE id = $1", id);
        await new WebhookRegistry(stack.Db, TrackingStack.Box).ForgetExpiredSecrets();
        Assert.Null(await Bytes("SELECT previous_secret FROM webhooks WHERE id = $1", id));
    }

    [Fact]
    public async Task After_a_signing_key_rotation_new_links_use_the_new_key_and_old_links_keep_working()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var before = await stack.Signature();
        var oldEmail = await client.SendTracked("<a href=\"https://shop.example/old\">old</a>");
        var oldLink = new Uri((await client.GetEmail(oldEmail)).ClickLinks()[0]).PathAndQuery;

        var (exit, output) = await stack.SiloCommand("rotate-signing-key");
        Assert.True(exit == 0, output);
        var after = await stack.Signature();

        // Within the silo's refresh, what it signs verifies with the new key alone.
        string newLink = "";
        await TrackingStack.Eventually(async () =>
        {
            var id = await client.SendTracked("<a href=\"https://shop.example/new\">new</a>");
            newLink = new Uri((await client.GetEmail(id)).ClickLinks()[0]).PathAndQuery;
            var trackingId = newLink["/v1/track/click/".Length..];
            return after.VerifyClick(trackingId, Guid.Parse(id)) is not null && before.VerifyClick(trackingId, Guid.Parse(id)) is null;
        }, "new links are signed with the new key", seconds: 30);

        foreach (var (link, destination) in new[] { (oldLink, "https://shop.example/old"), (newLink, "https://shop.example/new") })
        {
            var response = await stack.Http.GetAsync(link);
            Assert.Equal(HttpStatusCode.Found, response.StatusCode);
            Assert.Equal(destination, response.Headers.Location?.OriginalString);
        }
    }

    async Task<byte[]?> Bytes(string sql, Guid id)
    {
        await using var command = stack.Db.CreateCommand(sql);
        command.Parameters.Add(new() { Value = id });
        return await command.ExecuteScalarAsync() as byte[];
    }
}

/// <summary>A database an earlier version wrote its secrets to in clear.</summary>
public class LegacySecretsTests
{
    [Fact]
    public async Task Secrets_an_earlier_version_kept_in_clear_are_sealed_at_start_and_keep_their_value()
    {
        await using var db = NpgsqlDataSource.Create(await TestPostgres.CreateDatabase());
        await SchemaMigrations.Apply(db, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        var signingKey = Enumerable.Range(0, 32).Select(i => (byte)(255 - i)).ToArray();
        var webhookSecret = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        var project = (await new Tracking.Grains.Projects.ProjectStore(db).Create("legacy")).ProjectId;
        var webhook = Guid.NewGuid();
        await using (var batch = db.CreateBatch())
        {
            batch.BatchCommands.Add(new("INSERT INTO server_secrets (name, value) VALUES ('click_signing_key', $1)") { Parameters = { new() { Value = signingKey } } });
            batch.BatchCommands.Add(new("INSERT INTO webhooks (id, project_id, url, events, secret) VALUES ($1, $2, 'https://h.example/', '{email.opened}', $3)")
                { Parameters = { new() { Value = webhook }, new() { Value = project }, new() { Value = webhookSecret } } });
            await batch.ExecuteNonQueryAsync();
        }

        var secrets = new ServerSecrets(db, TrackingStack.Box);
        await secrets.Prepare();
        await secrets.Prepare();

        Assert.Equal([signingKey], await secrets.SigningKeys());
        await using var read = db.CreateCommand("SELECT secret, (SELECT count(*) FROM server_secrets) FROM webhooks WHERE id = $1");
        read.Parameters.Add(new() { Value = webhook });
        await using var reader = await read.ExecuteReaderAsync();
        await reader.ReadAsync();
        Assert.Equal(webhookSecret, TrackingStack.Box.Open(reader.GetFieldValue<byte[]>(0), SecretBox.WebhookContext(webhook)));
        Assert.Equal(0, reader.GetInt64(1));
    }
}
