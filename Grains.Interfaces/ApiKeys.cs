namespace Tracking.Contracts;

/// <summary>What an API key may do: everything, or only send (<c>POST /v1/emails</c>, <c>/batch</c>, <c>/v1/broadcasts</c>).</summary>
public static class ApiKeyPermissions
{
    public const string FullAccess = "full_access", SendingAccess = "sending_access";

    public static readonly string[] All = [FullAccess, SendingAccess];
}

/// <summary>What an API key grants: its project, which key it is, and its permission.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.ApiKeyGrant")]
public sealed record ApiKeyGrant([property: Id(0)] Guid ProjectId, [property: Id(1)] Guid KeyId, [property: Id(2)] string Permission);

/// <summary>The body of <c>POST /v1/api-keys</c>.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.ApiKeyDraft")]
public sealed record ApiKeyDraft([property: Id(0)] string? Name, [property: Id(1)] string? Permission = null);

/// <summary>An API key as listed: never the key itself, only its first characters.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.ApiKeyView")]
public sealed record ApiKeyView(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Permission,
    [property: Id(3)] string Prefix,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] DateTimeOffset? LastUsedAt);

/// <summary>An API key just made, with the key, shown this once.</summary>
[GenerateSerializer, Immutable, Alias("Tracking.ApiKeyCreated")]
public sealed record ApiKeyCreated(
    [property: Id(0)] Guid Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Permission,
    [property: Id(3)] string Prefix,
    [property: Id(4)] DateTimeOffset CreatedAt,
    [property: Id(5)] string Key);
