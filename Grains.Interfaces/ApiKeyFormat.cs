namespace Tracking.Contracts;

/// <summary>
/// What an API key looks like: <c>tk_</c> and URL-safe base64 characters. Anything else is refused where it
/// arrives, before it costs a grain call, a hash or a cache entry.
/// </summary>
public static class ApiKeyFormat
{
    public const string Prefix = "tk_";
    public const int MinLength = 24, MaxLength = 128;

    public static bool IsWellFormed(ReadOnlySpan<char> key)
    {
        if (key.Length is < MinLength or > MaxLength || !key.StartsWith(Prefix, StringComparison.Ordinal)) return false;
        foreach (var c in key[Prefix.Length..])
            if (!char.IsAsciiLetterOrDigit(c) && c is not ('-' or '_')) return false;
        return true;
    }
}
