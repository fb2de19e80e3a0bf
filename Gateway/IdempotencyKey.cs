using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using System.Text;
using System.Text.Json;
using Tracking.Contracts;

namespace Tracking.Gateway;

/// <summary>
/// The <c>Idempotency-Key</c> header of the sending endpoints. A key names its email: the email's id is
/// derived from the project and the key (and the item's place in a batch), so a retry reaches the same email
/// grain, which answers with the email it made instead of making another. The request travels with a hash,
/// so a different request under a used key is refused.
/// </summary>
public static class IdempotencyKey
{
    public const string Header = "Idempotency-Key";
    public const int MaxLength = 256;

    /// <summary>The key, null when there is none; false (with the 400 to answer) when it is malformed.</summary>
    public static bool TryRead(HttpRequest request, out string? key, [NotNullWhen(false)] out ProblemHttpResult? problem)
    {
        key = null;
        problem = null;
        if (!request.Headers.TryGetValue(Header, out var values)) return true;
        key = values.Count == 1 ? values[0] : null;
        if (key is { Length: > 0 and <= MaxLength } && key.All(c => c is >= '!' and <= '~')) return true;
        problem = TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid Idempotency-Key",
            detail: $"The {Header} header must be one value of 1 to {MaxLength} printable ASCII characters, without spaces.");
        return false;
    }

    /// <summary>
    /// The email grain to make the email in, and the hash it keeps of the request: a new id and no hash
    /// without a key.
    /// </summary>
    public static (Guid EmailId, byte[]? RequestHash) Email(Guid projectId, string? key, EmailDraft draft, int? batchItem = null) =>
        key is null ? (Guid.NewGuid(), null) : (EmailId(projectId, key, batchItem), RequestHash(draft));

    /// <summary>The id of the email the key names: the project's, and the item's in a batch.</summary>
    static Guid EmailId(Guid projectId, string key, int? batchItem)
    {
        var name = $"{projectId:N}\n{key}\n{(batchItem is int i ? $"batch:{i}" : "email")}";
        Span<byte> id = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), id);
        // RFC 9562 version 8 (custom) with the variant bits, so it is a well-formed UUID.
        id[6] = (byte)(0x80 | (id[6] & 0x0F));
        id[8] = (byte)(0x80 | (id[8] & 0x3F));
        return new Guid(id[..16], bigEndian: true);
    }

    /// <summary>A hash of the request as bound, so formatting does not matter, only what was asked.</summary>
    static byte[] RequestHash(EmailDraft draft) => SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(draft, ApiJson.Options));

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Idempotency-Key conflict", detail: detail);
}
