using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace Tracking.Gateway;

/// <summary>
/// Query parameters are bound as text and checked here, in one place for every endpoint: a value a
/// parameter cannot take is a 422 naming it (with any other bad one), never a bare 400.
/// </summary>
public sealed partial class QueryCheck
{
    /// <summary>
    /// The deepest page an offset reaches: every offset costs a scan of the rows it skips. Further pages are
    /// reached with the cursor.
    /// </summary>
    public const int MaxOffset = 10_000;

    public const int MaxSearch = 200;

    readonly Dictionary<string, string[]> errors = [];

    /// <summary>What each query parameter takes, as the API's description tells; whole numbers are documented as integers.</summary>
    public static readonly Dictionary<string, (string Description, bool WholeNumber)> Parameters = new()
    {
        ["limit"] = ("How many items a page holds, 1 to 100 (default 10 for emails, 20 for deliveries, 50 for events).", true),
        ["offset"] = ($"How many items to skip, at most {MaxOffset:N0}; deeper pages are reached with cursor where there is one.", true),
        ["cursor"] = ("Where the next page starts: next_cursor of the page before.", false),
        ["days"] = ("The window: this hour and the ones before it, days × 24 in all; 1 to 90 (default 7).", true),
        ["email_id"] = ("Only this email's events.", false),
        ["event_type"] = ($"Only events of this type: {string.Join(", ", Tracking.Contracts.EventTypes.All)}.", false),
        ["group_by"] = ("The series' buckets: day (the default) or hour.", false),
        ["tag"] = ("Only emails with this tag, as name:value.", false),
        ["search"] = ($"Only emails with this text (1 to {MaxSearch} characters, any case) in a recipient's address or the subject.", false),
        ["broadcast_id"] = ("Only this broadcast's emails.", false),
        ["exclude_machine"] = ("true: the headline figures count people only, leaving out opens and clicks made by machines (default false).", false),
    };

    public int WholeNumber(string name, string? raw, int fallback, int min, int max, string hint = "")
    {
        if (raw is null) return fallback;
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max) return value;
        Refuse(name, $"must be a whole number from {min} to {max}{hint}");
        return fallback;
    }

    public int Offset(string? raw, string? cursor, bool hasCursor = true)
    {
        var offset = WholeNumber("offset", raw, 0, 0, MaxOffset,
            hasCursor ? "; page further with cursor (next_cursor of the page before)" : "");
        if (cursor is not null && offset != 0) Refuse("offset", "cannot be combined with cursor");
        return offset;
    }

    public Guid? Id(string name, string? raw, string what)
    {
        if (raw is null) return null;
        if (Guid.TryParse(raw, out var id)) return id;
        Refuse(name, $"must be {what}");
        return null;
    }

    /// <summary>A tag filter: name:value, each as a tag's name and value may be written.</summary>
    public string? Tag(string? raw)
    {
        if (raw is null || TagFilter().IsMatch(raw)) return raw;
        Refuse("tag", "must be name:value");
        return null;
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}:[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex TagFilter();

    public string? Text(string name, string? raw, int maxLength)
    {
        if (raw is null || raw.Length is > 0 && raw.Length <= maxLength && !raw.Any(char.IsControl)) return raw;
        Refuse(name, $"must be 1 to {maxLength} characters, with no control characters");
        return null;
    }

    public bool Flag(string name, string? raw)
    {
        if (raw is null) return false;
        if (bool.TryParse(raw, out var value)) return value;
        Refuse(name, "must be true or false");
        return false;
    }

    public string? OneOf(string name, string? raw, IReadOnlyCollection<string> allowed)
    {
        if (raw is null || allowed.Contains(raw)) return raw;
        Refuse(name, $"must be one of {string.Join(", ", allowed)}");
        return null;
    }

    public void Refuse(string name, string why) => errors[name] = [.. errors.GetValueOrDefault(name, []), why];

    /// <summary>Whether any parameter was refused, and the 422 that says which.</summary>
    public bool Failed([NotNullWhen(true)] out ProblemHttpResult? problem)
    {
        problem = errors.Count > 0 ? ApiProblems.Invalid(errors, "Invalid query parameter") : null;
        return problem is not null;
    }
}

/// <summary><c>GET /v1/emails</c>'s parameters.</summary>
public sealed record EmailParameters(
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "offset")] string? Offset,
    [FromQuery(Name = "cursor")] string? Cursor,
    [FromQuery(Name = "search")] string? Search,
    [FromQuery(Name = "tag")] string? Tag);

/// <summary>A page of a list with no cursor: <c>limit</c> and <c>offset</c>.</summary>
public sealed record OffsetPageParameters(
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "offset")] string? Offset);

/// <summary><c>GET /v1/events</c>'s parameters.</summary>
public sealed record EventParameters(
    [FromQuery(Name = "days")] string? Days,
    [FromQuery(Name = "limit")] string? Limit,
    [FromQuery(Name = "offset")] string? Offset,
    [FromQuery(Name = "email_id")] string? EmailId,
    [FromQuery(Name = "event_type")] string? EventType,
    [FromQuery(Name = "cursor")] string? Cursor);

/// <summary><c>GET /v1/metrics</c>'s and <c>/v1/metrics/links</c>' parameters.</summary>
public sealed record MetricsParameters(
    [FromQuery(Name = "days")] string? Days,
    [FromQuery(Name = "group_by")] string? GroupBy,
    [FromQuery(Name = "tag")] string? Tag,
    [FromQuery(Name = "broadcast_id")] string? BroadcastId,
    [FromQuery(Name = "exclude_machine")] string? ExcludeMachine);
