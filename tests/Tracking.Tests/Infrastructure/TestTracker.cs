using Tracking.Contracts;
using Tracking.Grains.Emails;
using Tracking.Grains.Links;

namespace Tracking.Tests.Infrastructure;

/// <summary>An email's tracker as a silo at https://t.example.com with an all-zero signing key has it, for the rewriter tests.</summary>
public static class TestTracker
{
    public static readonly Guid EmailId = Guid.Parse("0b6f3c1e-8f0e-4c2a-9d7e-2f1a3b4c5d6e");
    public static readonly TrackingSignature Signature = new(new byte[32]);
    public static readonly TrackingLinks Links = new(TrackingUrls.At("https://t.example.com/"), Signature);
    public static readonly EmailTracker Tracker = new(Links);
}
