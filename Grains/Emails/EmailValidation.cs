using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using Tracking.Contracts;

namespace Tracking.Grains.Emails;

/// <summary>
/// Checks a draft; errors are keyed by the JSON field a client would fix. Every limit here bounds what one
/// request can make the service store and do (a broadcast repeats some of it per recipient).
/// </summary>
public static partial class EmailValidation
{
    public const int MaxRecipients = 50;
    public const int MaxSubjectLength = 998;
    /// <summary>An address as written, display name included.</summary>
    public const int MaxAddressLength = 998;
    /// <summary>Each of html and text, in UTF-8 bytes.</summary>
    public const int MaxContentBytes = 2 * 1024 * 1024;
    /// <summary>A click link's index is two bytes of its tracking id.</summary>
    public const int MaxLinks = ushort.MaxValue;
    public const int MaxTags = 50;
    public const int MaxHeaders = 50;
    public const int MaxHeaderValueLength = 998;
    public const int MaxAttachments = 100;
    /// <summary>All attachments of an email together, decoded.</summary>
    public const int MaxAttachmentBytes = 10 * 1024 * 1024;
    public const int MaxBroadcastRecipients = 10_000;

    [GeneratedRegex("^[A-Za-z0-9_-]{1,256}$")]
    private static partial Regex TagPart();

    // RFC 5322 field names: printable ASCII except the colon.
    [GeneratedRegex("^[!-9;-~]{1,76}$")]
    private static partial Regex HeaderName();

    /// <summary>A broadcast: the content rules of an email, then its recipients.</summary>
    public static Dictionary<string, string[]> Validate(BroadcastDraft draft)
    {
        var content = new EmailDraft
        {
            From = draft.From, Subject = draft.Subject, Html = draft.Html, Text = draft.Text, ReplyTo = draft.ReplyTo,
            Headers = draft.Headers, Tags = draft.Tags, Tracking = draft.Tracking,
        };
        var errors = new Errors(Validate(content, requireTo: false));

        var recipients = draft.Recipients ?? [];
        if (recipients.Length == 0) errors.Add("recipients", "is required");
        if (recipients.Length > MaxBroadcastRecipients) errors.Add("recipients", $"must have at most {MaxBroadcastRecipients} entries");
        for (var i = 0; i < recipients.Length && i < MaxBroadcastRecipients && errors.Count < 100; i++)
        {
            if (recipients[i] is not { } r) { errors.Add($"recipients[{i}]", "must be an object with to"); continue; }
            if (!IsAddress(r.To)) errors.Add($"recipients[{i}].to", "must be an email address");
            if (r.Tid is { } tid && (tid.Length is 0 or > 256 || tid.Any(char.IsControl) || !StorableText.IsStorable(tid)))
                errors.Add($"recipients[{i}].tid", "must be 1-256 characters without control characters");
        }
        return errors.ToDictionary();
    }

    public static Dictionary<string, string[]> Validate(EmailDraft draft, bool requireTo = true)
    {
        var errors = new Errors();

        if (string.IsNullOrWhiteSpace(draft.From)) errors.Add("from", "is required");
        else if (!IsAddress(draft.From)) errors.Add("from", "must be an email address, optionally with a name: \"Name <user@example.com>\"");

        if (requireTo && (draft.To is null || draft.To.Length == 0)) errors.Add("to", "is required");
        CheckAddresses("to", draft.To);
        CheckAddresses("cc", draft.Cc);
        CheckAddresses("bcc", draft.Bcc);
        CheckAddresses("reply_to", draft.ReplyTo);

        if (string.IsNullOrWhiteSpace(draft.Subject)) errors.Add("subject", "is required");
        else if (draft.Subject.Length > MaxSubjectLength) errors.Add("subject", $"must be at most {MaxSubjectLength} characters");
        else if (HasLineBreak(draft.Subject)) errors.Add("subject", "must not contain line breaks");
        else if (!StorableText.IsStorable(draft.Subject)) errors.Add("subject", NotStorable);

        if (string.IsNullOrEmpty(draft.Html) && string.IsNullOrEmpty(draft.Text)) errors.Add("html", "html or text is required");
        CheckContent("html", draft.Html);
        CheckContent("text", draft.Text);

        var headers = draft.Headers ?? [];
        if (headers.Count > MaxHeaders) errors.Add("headers", $"must have at most {MaxHeaders} entries");
        foreach (var (name, value) in headers.Take(MaxHeaders))
        {
            if (!HeaderName().IsMatch(name)) errors.Add($"headers.{Shown(name)}", "is not a valid header name");
            else if (Delivery.EmailMessage.Reserved.Contains(name)) errors.Add($"headers.{name}", "is set from its own field, not as a custom header");
            else if (value is null || HasLineBreak(value)) errors.Add($"headers.{name}", "must be a single-line string");
            else if (value.Length > MaxHeaderValueLength) errors.Add($"headers.{name}", $"must be at most {MaxHeaderValueLength} characters");
            else if (!StorableText.IsStorable(value)) errors.Add($"headers.{name}", NotStorable);
        }

        var tags = draft.Tags ?? [];
        if (tags.Length > MaxTags) errors.Add("tags", $"must have at most {MaxTags} entries");
        for (var i = 0; i < tags.Length && i < MaxTags; i++)
        {
            if (tags[i] is not { } tag) { errors.Add($"tags[{i}]", "must be an object with name and value"); continue; }
            if (tag.Name is null || !TagPart().IsMatch(tag.Name)) errors.Add($"tags[{i}].name", "must be 1-256 ASCII letters, digits, underscores or dashes");
            if (tag.Value is null || !TagPart().IsMatch(tag.Value)) errors.Add($"tags[{i}].value", "must be 1-256 ASCII letters, digits, underscores or dashes");
        }

        var attachments = draft.Attachments ?? [];
        if (attachments.Length > MaxAttachments) errors.Add("attachments", $"must have at most {MaxAttachments} entries");
        long attachmentBytes = 0;
        for (var i = 0; i < attachments.Length && i < MaxAttachments; i++)
        {
            if (attachments[i] is not { } attachment) { errors.Add($"attachments[{i}]", "must be an object with filename and content"); continue; }
            if (string.IsNullOrWhiteSpace(attachment.Filename) || attachment.Filename.Length > 255 || HasLineBreak(attachment.Filename))
                errors.Add($"attachments[{i}].filename", "is required: a single line of at most 255 characters");
            else if (!StorableText.IsStorable(attachment.Filename)) errors.Add($"attachments[{i}].filename", NotStorable);
            if (attachment.ContentType is { } type && (HasLineBreak(type) || !type.Contains('/') || type.Length > 255 || !StorableText.IsStorable(type)))
                errors.Add($"attachments[{i}].content_type", "must be a MIME type such as application/pdf");
            var size = Base64Size(attachment.Content);
            if (size is null) errors.Add($"attachments[{i}].content", "must be base64");
            else attachmentBytes += size.Value;
        }
        if (attachmentBytes > MaxAttachmentBytes)
            errors.Add("attachments", $"must be at most {MaxAttachmentBytes / (1024 * 1024)} MB in all (decoded)");

        return errors.ToDictionary();

        void CheckAddresses(string field, string[]? addresses)
        {
            if (addresses is null) return;
            if (addresses.Length > MaxRecipients) errors.Add(field, $"must have at most {MaxRecipients} addresses");
            for (var i = 0; i < addresses.Length && i < MaxRecipients; i++)
                if (!IsAddress(addresses[i])) errors.Add($"{field}[{i}]", "must be an email address");
        }

        void CheckContent(string field, string? content)
        {
            if (string.IsNullOrEmpty(content)) return;
            if (!StorableText.IsStorable(content)) errors.Add(field, NotStorable);
            else if (Encoding.UTF8.GetByteCount(content) > MaxContentBytes)
                errors.Add(field, $"must be at most {MaxContentBytes / (1024 * 1024)} MB (UTF-8)");
        }
    }

    /// <summary>The error of content whose links are more than a click link can number.</summary>
    public static Dictionary<string, string[]> TooManyLinks(string field) =>
        new() { [field] = [$"must link to at most {MaxLinks} distinct URLs"] };

    const string NotStorable = "must not contain NUL characters or unpaired surrogates";

    // A header name that is not valid is named in the error as far as it can be shown.
    static string Shown(string name) => StorableText.Clean(name, 76)!;

    static long? Base64Size(string? content)
    {
        if (string.IsNullOrEmpty(content)) return null;
        var buffer = new byte[content.Length * 3 / 4 + 3];
        return Convert.TryFromBase64String(content, buffer, out var written) ? written : null;
    }

    static bool HasLineBreak(string value) => value.AsSpan().IndexOfAny('\r', '\n') >= 0;

    static bool IsAddress(string? value) =>
        !string.IsNullOrWhiteSpace(value) && value.Length <= MaxAddressLength && !HasLineBreak(value) && StorableText.IsStorable(value)
        && MailAddress.TryCreate(value, out var address) && address.Host.Contains('.') && !address.Host.EndsWith('.');

    /// <summary>Field errors collected in the order found.</summary>
    sealed class Errors(Dictionary<string, string[]>? from = null)
    {
        readonly Dictionary<string, List<string>> errors = from?.ToDictionary(e => e.Key, e => e.Value.ToList()) ?? [];

        public int Count => errors.Count;

        public void Add(string field, string message)
        {
            if (!errors.TryGetValue(field, out var list)) errors[field] = list = [];
            list.Add(message);
        }

        public Dictionary<string, string[]> ToDictionary() => errors.ToDictionary(e => e.Key, e => e.Value.ToArray());
    }
}
