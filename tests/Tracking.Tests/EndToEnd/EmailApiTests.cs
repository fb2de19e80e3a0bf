using System.Net;
using System.Text;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public class EmailApiTests(TrackingStack stack)
{
    [Fact]
    public async Task Sending_answers_the_id_and_the_email_reads_back_tracked()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.SendEmail(new
        {
            from = "Acme <news@acme.example>",
            to = new[] { "bob@example.com", "Carol <carol@example.com>" },
            subject = "November news",
            html = "<html><body><a href=\"https://acme.example/sale?x=1&amp;y=2\">Sale</a></body></html>",
            text = "Sale: https://acme.example/sale",
            cc = "dan@example.com",
            bcc = new[] { "audit@acme.example" },
            reply_to = "support@acme.example",
            headers = new Dictionary<string, string> { ["X-Campaign"] = "nov" },
            tags = new[] { new { name = "category", value = "newsletter" } },
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var created = await response.Json();
        var id = created["id"]!.GetValue<string>();
        Assert.True(Guid.TryParse(id, out _));
        Assert.Equal("Acme <news@acme.example>", created["from"]!.GetValue<string>());
        Assert.Equal(2, created["to"]!.AsArray().Count);
        Assert.NotNull(created["created_at"]);

        var email = await client.GetEmail(id);
        Assert.Contains(email["status"]!.GetValue<string>(), new[] { "queued", "sending", "sent" });
        Assert.Equal(["dan@example.com"], email["cc"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(["support@acme.example"], email["reply_to"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal("nov", email["headers"]!["X-Campaign"]!.GetValue<string>());
        Assert.Equal("newsletter", email["tags"]![0]!["value"]!.GetValue<string>());
        Assert.True(email["tracking"]!["open"]!.GetValue<bool>());
        Assert.True(email["tracking"]!["click"]!.GetValue<bool>());
        Assert.Null(email["opened_at"]);
        Assert.Equal(0, email["open_count"]!.GetValue<int>());

        var html = email["html"]!.GetValue<string>();
        Assert.Contains($"<img src=\"{stack.BaseUrl}v1/track/open/{id}\" width=\"1\" height=\"1\" alt=\"\" style=\"display:none\"></body>", html);
        Assert.Single(email.ClickLinks());
        Assert.DoesNotContain("acme.example/sale", html);
        Assert.Equal("https://acme.example/sale?x=1&y=2", email["links"]![0]!["url"]!.GetValue<string>());
    }

    [Fact]
    public async Task Tracking_can_be_turned_off_per_email()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        const string html = "<html><body><a href=\"https://acme.example/\">a</a></body></html>";
        var id = await client.SendTracked(html, tracking: new { open = false, click = false });
        var email = await client.GetEmail(id);
        Assert.Equal(html, email["html"]!.GetValue<string>());
        Assert.False(email["tracking"]!["open"]!.GetValue<bool>());

        var pixel = await stack.Http.GetAsync($"/v1/track/open/{id}");
        Assert.Equal(HttpStatusCode.OK, pixel.StatusCode);
        Assert.Equal(0, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type IN ('opened', 'clicked')", Guid.Parse(id)));
        Assert.Equal(0, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
    }

    public static TheoryData<string, string> InvalidBodies => new()
    {
        { """{"to":"bob@example.com","subject":"s","html":"<p>x</p>"}""", "from" },
        { """{"from":"not an address","to":"bob@example.com","subject":"s","html":"<p>x</p>"}""", "from" },
        { """{"from":"a@acme.example","subject":"s","html":"<p>x</p>"}""", "to" },
        { """{"from":"a@acme.example","to":["bob@example.com","nope"],"subject":"s","html":"<p>x</p>"}""", "to[1]" },
        { """{"from":"a@acme.example","to":"bob@example.com","html":"<p>x</p>"}""", "subject" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s"}""", "html" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s\r\nBcc: x@evil.example","html":"x"}""", "subject" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s","html":"x","headers":{"X-A":"1\r\nBcc: x@evil.example"}}""", "headers.X-A" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s","html":"x","headers":{"Bad Name":"1"}}""", "headers.Bad Name" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s","html":"x","tags":[{"name":"ok","value":"has space"}]}""", "tags[0].value" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s","html":"x","cc":"bad"}""", "cc[0]" },
        { """{"from":"a@acme.example","to":5,"subject":"s","html":"x"}""", "to" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s","html":"x","tracking":{"open":"yes"}}""", "tracking.open" },
        { """[1,2,3]""", "body" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s","html":"x","headers":{"Subject":"other"}}""", "headers.Subject" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s","html":"x","attachments":[{"filename":"a.txt","content":"not base64!"}]}""", "attachments[0].content" },
        { """{"from":"a@acme.example","to":"bob@example.com","subject":"s","html":"x","attachments":[{"content":"aGk="}]}""", "attachments[0].filename" },
    };

    [Theory]
    [MemberData(nameof(InvalidBodies))]
    public async Task A_bad_email_gets_422_naming_the_field_and_nothing_is_stored(string body, string field)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var before = await stack.Scalar("SELECT (SELECT count(*) FROM emails) + (SELECT count(*) FROM orleans_storage)");
        var response = await client.PostAsync("/v1/emails", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Json();
        Assert.Equal(422, problem["status"]!.GetValue<int>());
        Assert.NotNull(problem["errors"]![field]);
        Assert.Equal(before, await stack.Scalar("SELECT (SELECT count(*) FROM emails) + (SELECT count(*) FROM orleans_storage)"));
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PostAsync("/v1/emails", new StringContent("{\"from\":", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_body_that_is_not_json_is_a_415_problem()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.PostAsync("/v1/emails", new StringContent("from=a", Encoding.UTF8, "text/plain"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("Bearer")]
    [InlineData("Bearer tk_wrong")]
    [InlineData("Bearer tk_wrong_but_well_formed_0123456789")]
    [InlineData("Bearer tk_has spaces and ! marks 0123456789")]
    [InlineData("Bearer xx_not_our_prefix_0123456789abcdef")]
    [InlineData("Basic dXNlcjpwYXNz")]
    public async Task A_missing_or_wrong_key_is_a_401_problem(string? authorization)
    {
        using var client = new HttpClient { BaseAddress = stack.BaseUrl };
        if (authorization is not null) client.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", authorization);
        foreach (var response in new[]
        {
            await client.PostAsync("/v1/emails", new StringContent("{}", Encoding.UTF8, "application/json")),
            await client.GetAsync($"/v1/emails/{Guid.NewGuid()}"),
        })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task A_project_cannot_see_another_projects_email()
    {
        using var alice = stack.ClientFor(await stack.CreateProject("alice"));
        using var mallory = stack.ClientFor(await stack.CreateProject("mallory"));
        var id = await alice.SendTracked("<p>private</p>");

        var response = await mallory.GetAsync($"/v1/emails/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(HttpStatusCode.OK, (await alice.GetAsync($"/v1/emails/{id}")).StatusCode);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("00000000-0000-0000-0000-000000000000")]
    public async Task An_unknown_email_is_a_404_problem(string id)
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var response = await client.GetAsync($"/v1/emails/{id}");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task The_bootstrap_key_from_the_environment_belongs_to_the_default_project()
    {
        using var client = stack.ClientFor(TrackingStack.BootstrapKey);
        var id = await client.SendTracked("<p>hi</p>");
        Assert.Equal(1, await stack.Scalar("SELECT count(*) FROM projects WHERE name = 'default'"));
        Assert.Equal(0, await stack.Scalar("SELECT count(*) FROM api_keys WHERE key_hash = convert_to($1, 'UTF8')", TrackingStack.BootstrapKey));
        Assert.NotNull(await client.GetEmail(id));
    }

    [Fact]
    public async Task The_process_is_up_and_ready_when_the_cluster_and_the_database_answer()
    {
        Assert.Equal("ok", await stack.Http.GetStringAsync("/healthz"));
        Assert.Equal("ready", await stack.Http.GetStringAsync("/readyz"));
    }
}
