// Run: dotnet run -c Release --project bench/Rewriting
// Baseline: AngleSharp parsing the same document, the floor of any rewriter built on a real parser.
using System.Text;
using AngleSharp.Html.Parser;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Running;
using Tracking.Grains.Emails;
using Tracking.Grains.Links;
using Tracking.Contracts;

BenchmarkRunner.Run<NewsletterTracking>(args: args);

[MemoryDiagnoser]
public class NewsletterTracking
{
    static readonly HtmlParser Parser = new();
    readonly EmailTracker tracker = new(new TrackingLinks(
        TrackingUrls.At("https://t.example.com"), new TrackingSignature(new byte[32])));
    readonly TrackedFlags flags = new(true, true);
    string html = "";

    /// <summary>About 100 KB: 200 article blocks, each with a tracked link, a table cell and some text.</summary>
    [GlobalSetup]
    public void Setup()
    {
        var doc = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>td{padding:8px}</style></head><body><table>");
        for (var i = 0; doc.Length < 100_000 - 600 || i < 200; i++)
        {
            var link = i < 200 ? $"<a href=\"https://shop.example/item/{i}?utm_source=news&amp;utm_campaign=nov\">Read more</a>" : "";
            doc.Append($"<tr><td><h2>Article {i}</h2><p>Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim veniam &amp; more.</p>{link}</td></tr>\n");
            if (i > 2000) break;
        }
        doc.Append("</table><!--[if mso]><p>Outlook</p><![endif]--></body></html>");
        html = doc.ToString();
    }

    [Benchmark(Baseline = true)]
    public int ParseOnly() => Parser.ParseDocument(html).All.Length;

    [Benchmark]
    public int Track() => tracker.Track(Guid.NewGuid(), html, null, flags).Html!.Length;
}
