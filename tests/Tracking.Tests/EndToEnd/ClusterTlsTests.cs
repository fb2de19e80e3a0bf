using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Tracking.Tests.Infrastructure;

namespace Tracking.Tests.EndToEnd;

/// <summary>Silo and Gateway as two processes whose Orleans connection is mutual TLS with one shared certificate.</summary>
public sealed class TlsClusterStack : TrackingStack
{
    public string CertificatePath { get; } = Path.Combine(Path.GetTempPath(), $"tracking-cluster-{Guid.NewGuid():N}.pfx");
    public const string Password = "cluster-secret";

    public TlsClusterStack() => File.WriteAllBytes(CertificatePath, ClusterTlsTests.SelfSigned("tracking-cluster").Export(X509ContentType.Pfx, Password));

    Dictionary<string, string> Tls => new() { ["Orleans__TlsCertificate"] = CertificatePath, ["Orleans__TlsCertificatePassword"] = Password };

    protected override Dictionary<string, string> SiloSettings() => Tls;

    protected override Dictionary<string, string> GatewaySettings() => new(base.GatewaySettings().Concat(Tls));

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        File.Delete(CertificatePath);
    }
}

public class ClusterTlsTests(TlsClusterStack stack) : IClassFixture<TlsClusterStack>
{
    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    [Fact]
    public async Task The_gateway_reaches_the_silo_over_mutual_tls()
    {
        using var client = stack.ClientFor(await stack.CreateProject());
        var id = await client.SendTracked("<p>over tls</p>");
        Assert.Equal(HttpStatusCode.OK, (await stack.Http.GetAsync($"/v1/track/open/{id}")).StatusCode);
        Assert.Equal(1, (await client.GetEmail(id))["open_count"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_client_without_the_clusters_certificate_is_turned_away(bool withForeignCertificate)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, stack.GatewayPort);
        using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        var certificates = withForeignCertificate ? new X509CertificateCollection { SelfSigned("stranger") } : null;
        // The silo refuses during the handshake, or right after it once it has seen the client's certificate.
        var refused = await Record.ExceptionAsync(async () =>
        {
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = "tracking-cluster",
                ClientCertificates = certificates,
                RemoteCertificateValidationCallback = (_, _, _, _) => true,
            });
            var buffer = new byte[1];
            if (await tls.ReadAsync(buffer).AsTask().WaitAsync(TimeSpan.FromSeconds(15)) == 0) throw new IOException("closed");
        });
        Assert.NotNull(refused);
        Assert.IsNotType<TimeoutException>(refused);
    }

    [Fact]
    public async Task The_clusters_certificate_completes_a_mutual_handshake_at_the_gateway_port()
    {
        using var certificate = X509CertificateLoader.LoadPkcs12FromFile(stack.CertificatePath, TlsClusterStack.Password);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, stack.GatewayPort);
        using var tls = new SslStream(tcp.GetStream(), false);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = "tracking-cluster",
            ClientCertificates = [certificate],
            RemoteCertificateValidationCallback = (_, remote, _, _) => remote!.GetRawCertData().AsSpan().SequenceEqual(certificate.RawData),
        });
        Assert.True(tls.IsAuthenticated);
        Assert.True(tls.IsMutuallyAuthenticated);
    }
}
