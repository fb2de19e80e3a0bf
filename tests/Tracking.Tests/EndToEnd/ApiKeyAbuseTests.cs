using System.Net;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

[Collection(StackCollection.Name)]
public class ApiKeyAbuseTests(TrackingStack stack)
{
    [Fact]
    public async Task A_30_KB_key_is_a_401_and_a_real_key_keeps_working()
    {
        using var bogus = new HttpClient { BaseAddress = stack.BaseUrl };
        bogus.DefaultRequestHeaders.TryAddWithoutValidation("Authorization", "Bearer tk_" + new string('a', 30_000));
        var response = await bogus.GetAsync("/v1/emails");
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);

        using var client = stack.ClientFor(await stack.CreateProject());
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/v1/emails")).StatusCode);
    }
}
