namespace Tracking.Grains.Delivery;

public enum SmtpSecurity { Auto, None, StartTls, Tls }

/// <summary>The relay emails go out through, bound from the "Smtp" section. No host: emails are only stored.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string? Host { get; set; }
    public int Port { get; set; } = 587;
    /// <summary>Auto: implicit TLS on port 465, STARTTLS when the server offers it elsewhere.</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.Auto;
    public string? Username { get; set; }
    public string? Password { get; set; }
    /// <summary>Send the credentials over a connection without TLS. Off: they go only over TLS.</summary>
    public bool AllowInsecureAuth { get; set; }

    /// <summary>First retry delay after a temporary failure; it doubles per attempt, with jitter.</summary>
    public double RetryBaseSeconds { get; set; } = 30;
    public double RetryMaxSeconds { get; set; } = 3600;
    /// <summary>After this long since acceptance, a temporary failure becomes final.</summary>
    public double GiveUpAfterHours { get; set; } = 24;
    /// <summary>How long a claimed email is held; a silo that dies mid-send releases it when this runs out.</summary>
    public double LeaseSeconds { get; set; } = 120;
    public double TimeoutSeconds { get; set; } = 60;

    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    public bool HasCredentials => !string.IsNullOrEmpty(Username);

    /// <summary>Why these settings cannot be used, or null.</summary>
    public string? Problem() =>
        Enabled && Port is <= 0 or >= 65536 ? "Smtp:Port must be a TCP port"
        : HasCredentials && Security == SmtpSecurity.None && !AllowInsecureAuth
            ? "TRACKING_SMTP_SECURITY=None with TRACKING_SMTP_USERNAME would send the relay's password in clear: use Auto, StartTls or Tls, or set TRACKING_SMTP_ALLOW_INSECURE_AUTH=true"
        : null;
}
