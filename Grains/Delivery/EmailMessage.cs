using MimeKit;
using Tracking.Grains.Emails;

namespace Tracking.Grains.Delivery;

/// <summary>Builds the MIME message of an accepted email.</summary>
public static class EmailMessage
{
    public const string TagsHeader = "X-Tracking-Tags";
    public const string EmailIdHeader = "X-Tracking-Email-Id";

    /// <summary>Headers the message sets from its own fields; a custom header may not replace them.</summary>
    public static readonly HashSet<string> Reserved = new(StringComparer.OrdinalIgnoreCase)
    {
        "From", "To", "Cc", "Bcc", "Reply-To", "Subject", "Date", "Message-ID", "MIME-Version",
        "Content-Type", "Content-Transfer-Encoding", "Sender", "Return-Path", TagsHeader, EmailIdHeader,
    };

    public static MimeMessage Build(EmailRecord email)
    {
        var message = new MimeMessage { Subject = email.Subject, MessageId = email.MessageId, Date = email.CreatedAt };
        message.From.Add(MailboxAddress.Parse(email.From));
        message.To.AddRange(email.To.Select(MailboxAddress.Parse));
        message.Cc.AddRange(email.Cc.Select(MailboxAddress.Parse));
        // Bcc recipients get the message through the envelope; MailKit does not transmit the Bcc header.
        message.Bcc.AddRange(email.Bcc.Select(MailboxAddress.Parse));
        message.ReplyTo.AddRange(email.ReplyTo.Select(MailboxAddress.Parse));
        foreach (var (name, value) in email.Headers) message.Headers.Add(name, value);
        message.Headers.Add(EmailIdHeader, email.Id.ToString());
        if (email.Tags.Length > 0)
            message.Headers.Add(TagsHeader, string.Join("; ", email.Tags.Select(t => $"{t.Name}={t.Value}")));

        var body = new BodyBuilder { HtmlBody = email.Html, TextBody = email.Text };
        foreach (var a in email.Attachments)
        {
            var bytes = Convert.FromBase64String(a.Content!);
            if (a.ContentType is { } type) body.Attachments.Add(a.Filename!, bytes, ContentType.Parse(type));
            else body.Attachments.Add(a.Filename!, bytes);
        }
        message.Body = body.ToMessageBody();
        return message;
    }
}
