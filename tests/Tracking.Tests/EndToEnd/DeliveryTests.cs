using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using MimeKit;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public class DeliveryTests(TrackingStack stack)
{
    static string Unique(string name) => $"{name}-{Guid.NewGuid():N}@example.com";

    async Task<JsonNode> WaitForStatus(HttpClient client, string id, string status)
    {
        JsonNode email = null!;
        await TrackingStack.Eventually(async () =>
            (email = await client.GetEmail(id))["status"]!.GetValue<string>() == status, $"email {id} is {status}");
        return email;
    }

    [Fact]
    public async Task An_email_goes_out_through_the_relay_with_its_tracking_headers_and_attachments()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        string to = Unique("bob"), cc = Unique("carol"), bcc = Unique("secret");
        var pdf = Enumerable.Range(0, 3000).Select(i => (byte)i).ToArray();
        var response = await client.SendEmail(new
        {
            from = "Acme <news@acme.example>",
            to,
            cc,
            bcc,
            reply_to = "support@acme.example",
            subject = "Your invoice",
            html = "<html><body><p>Pay <a href=\"https://pay.example/i/42?x=1&amp;y=2\">here</a></p></body></html>",
            text = "Pay here: https://pay.example/i/42?x=1&y=2. Thanks!",
            headers = new Dictionary<string, string> { ["X-Invoice"] = "42" },
            tags = new[] { new { name = "kind", value = "invoice" } },
            attachments = new[] { new { filename = "invoice.pdf", content = Convert.ToBase64String(pdf), content_type = "application/pdf" } },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var id = (await response.Json())["id"]!.GetValue<string>();

        var email = await WaitForStatus(client, id, "sent");
        Assert.StartsWith("250", email["smtp_response"]!.GetValue<string>());
        Assert.NotNull(email["sent_at"]);
        Assert.Equal("invoice.pdf", email["attachments"]![0]!["filename"]!.GetValue<string>());
        // Described from what was kept at acceptance: reading the email loads no attachment content.
        Assert.Equal(3000, email["attachments"]![0]!["size"]!.GetValue<int>());
        Assert.Equal("application/pdf", email["attachments"]![0]!["content_type"]!.GetValue<string>());
        Assert.Null(email["attachments"]![0]!["content"]);

        var relayed = Assert.Single(stack.Relay.For(id));
        var message = relayed.Message;
        Assert.Equal(email["message_id"]!.GetValue<string>(), message.MessageId);
        Assert.Equal(new[] { to, cc, bcc }.Order(), relayed.RcptTo.Order());
        Assert.Equal("news@acme.example", relayed.MailFrom);
        Assert.Empty(message.Bcc);
        Assert.DoesNotContain("Bcc:", relayed.Raw, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(bcc, relayed.Raw);
        Assert.Equal("support@acme.example", message.ReplyTo.Mailboxes.Single().Address);
        Assert.Equal("42", message.Headers["X-Invoice"]);
        Assert.Equal("kind=invoice", message.Headers["X-Tracking-Tags"]);

        var alternative = message.BodyParts.OfType<TextPart>().ToList();
        var html = alternative.Single(p => p.IsHtml).Text;
        var text = alternative.Single(p => p.IsPlain).Text;
        Assert.Contains($"{stack.BaseUrl}v1/track/open/{id}", html);
        Assert.DoesNotContain("pay.example", html);
        Assert.Equal(email["html"]!.GetValue<string>(), html);
        Assert.Matches($@"^Pay here: {stack.BaseUrl}v1/track/click/[A-Za-z0-9_-]+\. Thanks!$", text.Trim());

        var attachment = Assert.Single(message.Attachments.OfType<MimePart>());
        Assert.Equal("invoice.pdf", attachment.FileName);
        Assert.Equal("application/pdf", attachment.ContentType.MimeType);
        using var content = new MemoryStream();
        await attachment.Content.DecodeToAsync(content);
        Assert.Equal(pdf, content.ToArray());

        // The text part's link is the same tracked link as the html one.
        var textLink = System.Text.RegularExpressions.Regex.Match(text, @"http\S+/v1/track/click/[A-Za-z0-9_-]+").Value;
        var click = await stack.Http.GetAsync(new Uri(textLink).PathAndQuery);
        Assert.Equal("https://pay.example/i/42?x=1&y=2", click.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task A_temporary_failure_is_retried_and_delivered_once()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var to = Unique("busy");
        stack.Relay.Script(to, 451);
        var response = await client.SendEmail(new { from = "a@acme.example", to, subject = "retry", text = "hi" });
        var id = (await response.Json())["id"]!.GetValue<string>();

        var email = await WaitForStatus(client, id, "sent");
        Assert.Equal(2, email["attempts"]!.GetValue<int>());
        Assert.Single(stack.Relay.For(id));
    }

    [Fact]
    public async Task A_permanent_failure_marks_the_email_failed_with_the_reason()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var to = Unique("gone");
        stack.Relay.Script(to, 550);
        var response = await client.SendEmail(new { from = "a@acme.example", to, subject = "bounce", text = "hi" });
        var id = (await response.Json())["id"]!.GetValue<string>();

        var email = await WaitForStatus(client, id, "failed");
        Assert.Contains("550", email["last_error"]!.GetValue<string>());
        Assert.Equal(1, email["attempts"]!.GetValue<int>());
        Assert.Empty(stack.Relay.For(id));
    }

    [Fact]
    public async Task Attachments_past_the_size_limit_are_refused()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var big = Convert.ToBase64String(new byte[10 * 1024 * 1024 + 1]);
        var response = await client.SendEmail(new
        {
            from = "a@acme.example", to = "b@example.com", subject = "big", text = "x",
            attachments = new[] { new { filename = "big.bin", content = big } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["attachments"]);
    }

    [Fact]
    public async Task A_batch_accepts_its_valid_items_and_reports_the_others_in_order()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PostAsJsonAsync("/v1/emails/batch", new object[]
        {
            new { from = "a@acme.example", to = Unique("one"), subject = "1", text = "one" },
            new { from = "a@acme.example", to = "not-an-address", subject = "2", text = "two" },
            new { from = "a@acme.example", to = Unique("three"), subject = "3", text = "three" },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var data = (await response.Json())["data"]!.AsArray();
        Assert.Equal(3, data.Count);
        Assert.NotNull(data[0]!["id"]);
        Assert.NotNull(data[1]!["errors"]!["to[0]"]);
        Assert.Null(data[1]!["id"]);
        Assert.NotNull(data[2]!["id"]);
        foreach (var i in new[] { 0, 2 })
            await WaitForStatus(client, data[i]!["id"]!.GetValue<string>(), "sent");
    }

    [Fact]
    public async Task A_batch_of_101_is_refused_whole()
    {
        var key = await stack.CreateProject();
        using var client = stack.ClientFor(key);
        var items = Enumerable.Range(0, 101).Select(i => new { from = "a@acme.example", to = "b@example.com", subject = $"{i}", text = "x" });
        var response = await client.PostAsJsonAsync("/v1/emails/batch", items);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        var list = await (await client.GetAsync("/v1/emails")).Json();
        Assert.Empty(list["data"]!.AsArray());
    }

    [Fact]
    public async Task The_email_list_is_newest_first_and_paginated()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var ids = new List<string>();
        for (var i = 0; i < 5; i++) ids.Add(await client.SendTracked($"<p>{i}</p>"));

        var first = await (await client.GetAsync("/v1/emails?limit=2")).Json();
        Assert.Equal(new[] { ids[4], ids[3] }, first["data"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()));
        Assert.True(first["has_more"]!.GetValue<bool>());
        var last = await (await client.GetAsync("/v1/emails?limit=2&offset=4")).Json();
        Assert.Equal(new[] { ids[0] }, last["data"]!.AsArray().Select(e => e!["id"]!.GetValue<string>()));
        Assert.False(last["has_more"]!.GetValue<bool>());
        Assert.Equal(5, (await (await client.GetAsync("/v1/emails")).Json())["data"]!.AsArray().Count);

        foreach (var bad in new[] { "limit=0", "limit=101", "limit=x", "offset=-1" })
        {
            var response = await client.GetAsync($"/v1/emails?{bad}");
            Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.NotNull((await response.Json())["errors"]![bad.Split('=')[0]]);
        }
    }

    [Fact]
    public async Task A_broadcast_gives_each_recipient_its_own_email_pixel_and_signed_links()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        string ann = Unique("ann"), ben = Unique("ben"), cat = Unique("cat");
        var response = await client.PostAsJsonAsync("/v1/broadcasts", new
        {
            from = "Acme <news@acme.example>",
            subject = "Sale",
            html = "<html><body><a href=\"https://shop.example/sale?a=1&amp;b=2\">Sale</a></body></html>",
            text = "Sale: https://shop.example/sale?a=1&b=2",
            tags = new[] { new { name = "campaign", value = "sale" } },
            recipients = new object[] { new { to = ann, tid = "crm-1" }, new { to = ben, tid = "crm-2" }, new { to = cat } },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = await response.Json();
        var broadcastId = created["id"]!.GetValue<string>();
        Assert.Equal(3, created["recipients"]!.GetValue<int>());
        var emails = created["emails"]!.AsArray();
        Assert.Equal("crm-1", emails[0]!["tid"]!.GetValue<string>());
        Assert.Equal(emails[2]!["id"]!.GetValue<string>(), emails[2]!["tid"]!.GetValue<string>());

        await TrackingStack.Eventually(async () =>
        {
            var b = await (await client.GetAsync($"/v1/broadcasts/{broadcastId}")).Json();
            return b["statuses"]!["sent"]?.GetValue<int>() == 3;
        }, "the broadcast is sent");

        var annId = emails[0]!["id"]!.GetValue<string>();
        var message = Assert.Single(stack.Relay.For(annId)).Message;
        Assert.Equal(ann, message.To.Mailboxes.Single().Address);
        Assert.Contains($"/v1/track/open/{annId}", message.HtmlBody);
        var link = System.Text.RegularExpressions.Regex.Match(message.HtmlBody, "href=\"([^\"]+)\"").Groups[1].Value;
        link = WebUtility.HtmlDecode(link);
        Assert.Contains($"/v1/track/click/{annId}?url=", link);
        Assert.Contains("tid=crm-1", link);
        Assert.Contains("/v1/track/click/", message.TextBody);

        var click = await stack.Http.GetAsync(new Uri(link).PathAndQuery);
        Assert.Equal(HttpStatusCode.Found, click.StatusCode);
        Assert.Equal("https://shop.example/sale?a=1&b=2", click.Headers.Location!.OriginalString);
        await stack.Http.GetAsync($"/v1/track/open/{annId}");
        var ann1 = await client.GetEmail(annId);
        Assert.Equal(1, ann1["click_count"]!.GetValue<int>());
        Assert.Equal(1, ann1["open_count"]!.GetValue<int>());
        Assert.Equal(broadcastId, ann1["broadcast_id"]!.GetValue<string>());
        Assert.Equal(0, (await client.GetEmail(emails[1]!["id"]!.GetValue<string>()))["click_count"]!.GetValue<int>());

        // Ben's link with Ann's tid is not Ben's to use.
        var forged = link.Replace(annId, emails[1]!["id"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await stack.Http.GetAsync(new Uri(forged).PathAndQuery)).StatusCode);
    }

    [Fact]
    public async Task A_broadcast_with_bad_recipients_is_refused_naming_them()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PostAsJsonAsync("/v1/broadcasts", new
        {
            from = "a@acme.example", subject = "s", html = "<p>x</p>",
            recipients = new object[] { new { to = "ok@example.com" }, new { to = "nope" } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.NotNull((await response.Json())["errors"]!["recipients[1].to"]);

        var tooMany = await client.PostAsJsonAsync("/v1/broadcasts", new
        {
            from = "a@acme.example", subject = "s", html = "<p>x</p>",
            recipients = Enumerable.Range(0, 10_001).Select(i => new { to = $"r{i}@example.com" }),
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, tooMany.StatusCode);
        Assert.Empty((await (await client.GetAsync("/v1/emails")).Json())["data"]!.AsArray());
    }

    [Fact]
    public async Task Another_projects_broadcast_is_not_found()
    {
        using var alice = stack.ClientFor(await stack.CreateProject());
        using var mallory = stack.ClientFor(await stack.CreateProject());
        var created = await (await alice.PostAsJsonAsync("/v1/broadcasts", new
        {
            from = "a@acme.example", subject = "s", text = "x", recipients = new[] { new { to = Unique("r") } },
        })).Json();
        var id = created["id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NotFound, (await mallory.GetAsync($"/v1/broadcasts/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/v1/broadcasts/{id}")).StatusCode);
    }
}
