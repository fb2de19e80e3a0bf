namespace Tracking.Contracts;

/// <summary>What an email grain publishes on the event stream once an event is committed.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.EventNotice")]
public sealed record EventNotice([property: Id(0)] Guid EventId, [property: Id(1)] Guid EmailId);

public static class EventStreams
{
    public const string Provider = "events";
    public const string Namespace = "email-events";
}
