using System.Net.Mail;
using System.Text.RegularExpressions;

namespace Tracking.Emails;

/// <summary>Checks a draft; errors are keyed by the JSON field a client would fix.</summary>
public static partial class EmailValidation
{
    public const int MaxRecipients = 50;
    public const int MaxSubjectLength = 998;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex TagPart();

    // RFC 5322 field names: printable ASCII except the colon.
    [GeneratedRegex("^[!-9;-~]{1,76}$")]
    private static partial Regex HeaderName();

    public static Dictionary<string, string[]> Validate(EmailDraft draft)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        if (string.IsNullOrWhiteSpace(draft.From)) Add("from", "is required");
        else if (!IsAddress(draft.From)) Add("from", "must be an email address, optionally with a name: \"Name <user@example.com>\"");

        if (draft.To is null || draft.To.Length == 0) Add("to", "is required");
        CheckAddresses("to", draft.To);
        CheckAddresses("cc", draft.Cc);
        CheckAddresses("bcc", draft.Bcc);
        CheckAddresses("reply_to", draft.ReplyTo);

        if (string.IsNullOrWhiteSpace(draft.Subject)) Add("subject", "is required");
        else if (draft.Subject.Length > MaxSubjectLength) Add("subject", $"must be at most {MaxSubjectLength} characters");
        else if (HasLineBreak(draft.Subject)) Add("subject", "must not contain line breaks");

        if (string.IsNullOrEmpty(draft.Html) && string.IsNullOrEmpty(draft.Text)) Add("html", "html or text is required");

        foreach (var (name, value) in draft.Headers ?? [])
        {
            if (!HeaderName().IsMatch(name)) Add($"headers.{name}", "is not a valid header name");
            else if (value is null || HasLineBreak(value)) Add($"headers.{name}", "must be a single-line string");
        }

        for (var i = 0; i < (draft.Tags?.Length ?? 0); i++)
        {
            var tag = draft.Tags![i];
            if (tag is null) { Add($"tags[{i}]", "must be an object with name and value"); continue; }
            if (tag.Name is null || !TagPart().IsMatch(tag.Name)) Add($"tags[{i}].name", "must be 1-256 ASCII letters, digits, underscores or dashes");
            if (tag.Value is null || !TagPart().IsMatch(tag.Value)) Add($"tags[{i}].value", "must be 1-256 ASCII letters, digits, underscores or dashes");
        }

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

        void CheckAddresses(string field, string[]? addresses)
        {
            if (addresses is null) return;
            if (addresses.Length > MaxRecipients) Add(field, $"must have at most {MaxRecipients} addresses");
            for (var i = 0; i < addresses.Length; i++)
                if (!IsAddress(addresses[i])) Add($"{field}[{i}]", "must be an email address");
        }
    }

    static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    static bool IsAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !HasLineBreak(value)
        && MailAddress.TryCreate(value, out var address) && address.Host.Contains('.') && !address.Host.EndsWith('.');
}
