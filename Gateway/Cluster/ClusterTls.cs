using System.Security.Cryptography.X509Certificates;
using Orleans.Connections.Security;

namespace Tracking.Gateway.Cluster;

/// <summary>
/// Mutual TLS on the cluster's own connections (silo to silo, Gateway to silo), from
/// <c>Orleans:TlsCertificate</c> (a PKCS#12 file). Each side must present a certificate: the same one
/// (a cluster sharing one certificate), or one issued by <c>Orleans:TlsCaCertificate</c> when that is set.
/// Without it, anyone who reaches a silo port can call any grain, so the ports must stay private anyway.
/// </summary>
public static class ClusterTls
{
    public static void Configure(ISiloBuilder silo, IConfiguration config)
    {
        if (Load(config) is { } tls) silo.UseTls(tls.Certificate, options => Apply(options, tls));
    }

    public static void Configure(IClientBuilder client, IConfiguration config)
    {
        if (Load(config) is { } tls) client.UseTls(tls.Certificate, options => Apply(options, tls));
    }

    sealed record Settings(X509Certificate2 Certificate, X509Certificate2? Authority);

    static Settings? Load(IConfiguration config)
    {
        var orleans = config.GetSection("Orleans");
        if (orleans["TlsCertificate"] is not { Length: > 0 } path) return null;
        var certificate = X509CertificateLoader.LoadPkcs12FromFile(path, orleans["TlsCertificatePassword"]);
        if (!certificate.HasPrivateKey) throw new InvalidOperationException($"Orleans:TlsCertificate ({path}) holds no private key.");
        var authority = orleans["TlsCaCertificate"] is { Length: > 0 } ca ? X509CertificateLoader.LoadCertificateFromFile(ca) : null;
        return new Settings(certificate, authority);
    }

    static void Apply(TlsOptions options, Settings tls)
    {
        options.LocalCertificate = tls.Certificate;
        options.RemoteCertificateMode = RemoteCertificateMode.RequireCertificate;
        options.ClientCertificateMode = RemoteCertificateMode.RequireCertificate;
        // Trust is decided here, by certificate, not by host name: members dial each other by IP address.
        options.RemoteCertificateValidation = (remote, _, _) => Trusted(remote, tls);
        options.OnAuthenticateAsClient = (_, ssl) => ssl.TargetHost = tls.Certificate.GetNameInfo(X509NameType.SimpleName, false);
    }

    static bool Trusted(X509Certificate2 remote, Settings tls)
    {
        if (tls.Authority is null) return remote.RawData.AsSpan().SequenceEqual(tls.Certificate.RawData);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(tls.Authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(remote);
    }
}
