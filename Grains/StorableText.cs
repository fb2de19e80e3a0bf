using System.Text;

namespace Tracking.Grains;

/// <summary>
/// Text PostgreSQL can store: it takes no NUL, and Npgsql's strict UTF-8 encoder refuses a lone surrogate.
/// Either failed a whole statement: every row of a shared insert, or an email's with a 500.
/// </summary>
public static class StorableText
{
    public const int MaxUserAgent = 1024, MaxReferer = 2048;

    /// <summary>
    /// Text a stranger sent (a user agent, a referer) made storable: at most <paramref name="maxChars"/>
    /// UTF-16 units, cut between characters, without NULs or lone surrogates; null stays null.
    /// </summary>
    public static string? Clean(string? value, int maxChars)
    {
        if (value is null) return null;
        if (value.Length <= maxChars && IsStorable(value)) return value;

        var clean = new StringBuilder(Math.Min(value.Length, maxChars));
        foreach (var rune in value.EnumerateRunes())
        {
            // EnumerateRunes turns a lone surrogate into U+FFFD: that one is dropped too.
            if (rune.Value is 0 || rune == Rune.ReplacementChar) continue;
            if (clean.Length + rune.Utf16SequenceLength > maxChars) break;
            clean.Append(rune.ToString());
        }
        return clean.ToString();
    }

    /// <summary>Whether PostgreSQL can store the text as it is: no NUL and no lone surrogate.</summary>
    public static bool IsStorable(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0') return false;
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1])) i++;
            else return false;
        }
        return true;
    }
}
