using System.Net.Mail;
using System.Text.RegularExpressions;

namespace Tracking.Emails;

/// <summary>Checks a draft; errors are keyed by the JSON field a client would fix.</summary>
public static partial class EmailValidation
{
    public const int MaxRecipients = 50;
    public const int MaxSubjectLength = 998;
    /// <summary>All attachments of an email together, decoded.</summary>
    public const int MaxAttachmentBytes = 10 * 1024 * 1024;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex TagPart();

    // RFC 5322 field names: printable ASCII except the colon.
    [GeneratedRegex("^[!-9;-~]{1,76}$")]
    private static partial Regex HeaderName();

    public const int MaxBroadcastRecipients = 10_000;

    /// <summary>A broadcast: the content rules of an email, then its recipients.</summary>
    public static Dictionary<string, string[]> Validate(BroadcastDraft draft)
    {
        var content = new EmailDraft(draft.From, null, draft.Subject, draft.Html, draft.Text, null, null, draft.ReplyTo,
            draft.Headers, draft.Tags, draft.Tracking);
        var errors = Validate(content, requireTo: false).ToDictionary(e => e.Key, e => e.Value.ToList());
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        var recipients = draft.Recipients ?? [];
        if (recipients.Length == 0) Add("recipients", "is required");
        if (recipients.Length > MaxBroadcastRecipients) Add("recipients", $"must have at most {MaxBroadcastRecipients} entries");
        for (var i = 0; i < recipients.Length && errors.Count < 100; i++)
        {
            if (recipients[i] is not { } r) { Add($"recipients[{i}]", "must be an object with to"); continue; }
            if (!IsAddress(r.To)) Add($"recipients[{i}].to", "must be an email address");
            if (r.Tid is { } tid && (tid.Length is 0 or > 256 || tid.Any(char.IsControl)))
                Add($"recipients[{i}].tid", "must be 1-256 characters without control characters");
        }
        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }

    public static Dictionary<string, string[]> Validate(EmailDraft draft, bool requireTo = true)
    {
        var errors = new Dictionary<string, List<string>>();
        void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        if (string.IsNullOrWhiteSpace(draft.From)) Add("from", "is required");
        else if (!IsAddress(draft.From)) Add("from", "must be an email address, optionally with a name: \"Name <user@example.com>\"");

        if (requireTo && (draft.To is null || draft.To.Length == 0)) Add("to", "is required");
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
            else if (Delivery.EmailMessage.Reserved.Contains(name)) Add($"headers.{name}", "is set from its own field, not as a custom header");
            else if (value is null || HasLineBreak(value)) Add($"headers.{name}", "must be a single-line string");
        }

        for (var i = 0; i < (draft.Tags?.Length ?? 0); i++)
        {
            var tag = draft.Tags![i];
            if (tag is null) { Add($"tags[{i}]", "must be an object with name and value"); continue; }
            if (tag.Name is null || !TagPart().IsMatch(tag.Name)) Add($"tags[{i}].name", "must be 1-256 ASCII letters, digits, underscores or dashes");
            if (tag.Value is null || !TagPart().IsMatch(tag.Value)) Add($"tags[{i}].value", "must be 1-256 ASCII letters, digits, underscores or dashes");
        }

        long attachmentBytes = 0;
        for (var i = 0; i < (draft.Attachments?.Length ?? 0); i++)
        {
            var attachment = draft.Attachments![i];
            if (attachment is null) { Add($"attachments[{i}]", "must be an object with filename and content"); continue; }
            if (string.IsNullOrWhiteSpace(attachment.Filename) || attachment.Filename.Length > 255 || HasLineBreak(attachment.Filename))
                Add($"attachments[{i}].filename", "is required: a single line of at most 255 characters");
            if (attachment.ContentType is { } type && (HasLineBreak(type) || !type.Contains('/')))
                Add($"attachments[{i}].content_type", "must be a MIME type such as application/pdf");
            var size = Base64Size(attachment.Content);
            if (size is null) Add($"attachments[{i}].content", "must be base64");
            else attachmentBytes += size.Value;
        }
        if (attachmentBytes > MaxAttachmentBytes)
            Add("attachments", $"must be at most {MaxAttachmentBytes / (1024 * 1024)} MB in all (decoded)");

        return errors.ToDictionary(e => e.Key, e => e.Value.ToArray());

        void CheckAddresses(string field, string[]? addresses)
        {
            if (addresses is null) return;
            if (addresses.Length > MaxRecipients) Add(field, $"must have at most {MaxRecipients} addresses");
            for (var i = 0; i < addresses.Length; i++)
                if (!IsAddress(addresses[i])) Add($"{field}[{i}]", "must be an email address");
        }
    }

    static long? Base64Size(string? content)
    {
        if (string.IsNullOrEmpty(content)) return null;
        var buffer = new byte[content.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(content, buffer, out var written) ? written : null;
    }

    static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    static bool IsAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && !HasLineBreak(value)
        && MailAddress.TryCreate(value, out var address) && address.Host.Contains('.') && !address.Host.EndsWith('.');
}
