using System.Net.Mail;

namespace Tracking.Grains.Delivery;

/// <summary>An email's Message-ID, fixed at acceptance so every delivery attempt carries the same one.</summary>
public static class MessageIds
{
    public static string For(Guid emailId, string from) =>
        $"{emailId:N}@{(MailAddress.TryCreate(from, out var address) ? address.Host : "tracking.local")}";
}
