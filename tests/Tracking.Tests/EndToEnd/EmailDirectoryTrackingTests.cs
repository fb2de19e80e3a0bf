using System.Net;
using Tracking.Grains.Emails;
using Tracking.Tests.Infrastructure;
using Tracking.Contracts;

namespace Tracking.Tests.EndToEnd;

/// <summary>
/// The event log checks an email it has not seen by the email's row, and one it has seen by what it
/// remembers of that row: both must give the same answers.
/// </summary>
[Collection(StackCollection.Name)]
public class EmailDirectoryTrackingTests(TrackingStack stack)
{
    [Fact]
    public async Task An_email_this_silo_did_not_send_gets_the_same_answers_before_and_after_it_is_remembered()
    {
        // Written straight to the table, as another silo would: this silo learns them on their first hit.
        var signature = await stack.Signature();
        var projectId = (await new Tracking.Grains.Projects.ProjectStore(stack.Db).Create("directory")).ProjectId;
        var now = DateTimeOffset.UtcNow;
        EmailRecord Record(Guid id, TrackedFlags flags, List<string> links) => new()
        {
            Id = id, ProjectId = projectId, CreatedAt = now, From = "news@acme.example", To = ["r@example.com"], Subject = "Hi",
            Html = "<p>hi</p>", Tracking = flags, Links = links, MessageId = $"{id:N}@acme.example", Status = EmailStatuses.Stored,
        };
        var tracked = Guid.NewGuid();
        var untracked = Guid.NewGuid();
        var links = new Tracking.Grains.Links.TrackingLinks(TrackingUrls.At("http://127.0.0.1:8080"), signature);
        await new EmailStore(stack.Db, links).Insert(
            Record(tracked, new(true, true), ["https://shop.example/a"]), Record(untracked, new(false, false), []));

        var requests = new (string Path, HttpStatusCode Status, string? Location)[]
        {
            ($"/v1/track/open/{tracked}", HttpStatusCode.OK, null),
            ($"/v1/track/click/{signature.ClickTrackingId(tracked, 0)}", HttpStatusCode.Found, "https://shop.example/a"),
            ($"/v1/track/click/{signature.ClickTrackingId(tracked, 1)}", HttpStatusCode.NotFound, null),
            ($"/v1/track/open/{untracked}", HttpStatusCode.OK, null),
            ($"/v1/track/click/{signature.ClickTrackingId(untracked, 0)}", HttpStatusCode.NotFound, null),
        };
        for (var round = 0; round < 3; round++)
            foreach (var (path, status, location) in requests)
            {
                var response = await stack.Http.GetAsync(path);
                Assert.Equal(status, response.StatusCode);
                Assert.Equal(location, response.Headers.Location?.OriginalString);
            }

        Assert.Equal(3, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'opened' AND project_id = $2", tracked, projectId));
        Assert.Equal(3, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type = 'clicked' AND link = $2 AND project_id = $3",
            tracked, "https://shop.example/a", projectId));
        Assert.Equal(0, await stack.Scalar("SELECT count(*) FROM email_events WHERE email_id = $1 AND type IN ('opened', 'clicked')", untracked));
    }
}
