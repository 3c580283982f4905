using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Tls;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>The client against a ZooKeeper that listens on a TLS port only and requires client certificates.</summary>
[Collection(ZooKeeperTlsCollection.Name)]
public sealed class TlsTests(ZooKeeperTlsFixture fixture)
{
    [Fact]
    public async Task PlaintextClientIsRefusedAndToldToUseTls()
    {
        var why = await FirstFailureAsync(new ZooKeeperClientOptions { ConnectionString = fixture.Server.ConnectionString });

        Assert.Contains("secureClientPort", why, StringComparison.Ordinal);
        Assert.Contains("configure TLS", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsClientWithoutCertificateIsRefused()
    {
        var why = await FirstFailureAsync(new ZooKeeperClientOptions { ConnectionString = fixture.Server.ConnectionString, Tls = fixture.ClientTls(null) });

        Assert.Contains("TLS", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServerCertificateFromAnotherCaIsRefused()
    {
        using var otherCa = new TestPki("Some Other CA");
        var tls = fixture.ClientTls(fixture.Deployment);
        tls.CaPath = otherCa.CaPath;

        var why = await FirstFailureAsync(new ZooKeeperClientOptions { ConnectionString = fixture.Server.ConnectionString, Tls = tls });

        Assert.Contains("not signed by the configured CA", why, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ClientIsAuthenticatedAsItsCertificateSubject()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var client = await fixture.ConnectAsync(chroot, fixture.Deployment);

        var identities = await client.WhoAmIAsync();

        // Our RFC 2253 rendering of the subject (escaped comma, several RDNs) is exactly the server's.
        Assert.Contains(X509Identity.OfPemFile(fixture.Deployment.Certificate), identities);
        Assert.Equal("CN=orleans-zuul,OU=CI,O=Example\\, Inc.", identities.Single(i => i.Scheme == "x509").Value);
    }

    [Fact]
    public async Task SessionSurvivesAServerRestartWithItsWatchesAndCredentials()
    {
        var chroot = await fixture.NewChrootAsync();
        var digest = ZooKeeperCredential.Digest("zuul", "s3cret");
        await using var client = await fixture.ConnectAsync(chroot, fixture.Deployment, [digest], TimeSpan.FromSeconds(20));
        var states = new StateLog(client);
        var session = client.SessionId;
        await client.CreateAsync("/watched", "v1"u8.ToArray());
        await client.CreateAsync("/digest-only", "d1"u8.ToArray(), acl: [Acl.Digest("zuul", "s3cret")]);
        var recorder = new WatchRecorder();
        await client.GetDataAsync("/watched", recorder.Watcher);

        await fixture.Server.RestartAsync();
        await Eventually.UntilAsync(() => states.Seen.Contains(ZooKeeperState.Suspended) && client.State == ZooKeeperState.Connected, "the client to lose and regain the TLS connection");

        Assert.Equal(session, client.SessionId);
        await using var other = await fixture.ConnectAsync(chroot, fixture.Deployment);
        await other.SetDataAsync("/watched", "v2"u8.ToArray());
        var changed = await recorder.NextAsync("the re-armed data watch to fire");
        Assert.Equal((WatchedEventType.NodeDataChanged, "/watched"), (changed.Type, changed.Path));

        // The digest credentials went out again on the new connection: only they may write this node.
        await client.SetDataAsync("/digest-only", "d2"u8.ToArray());
        await Assert.ThrowsAsync<NoAuthException>(() => other.SetDataAsync("/digest-only", "x"u8.ToArray()));
    }

    [Fact]
    public async Task ServerCertificateThatDoesNotNameTheHostIsRefused()
    {
        // An in-process TLS server whose certificate (from the right CA) names another host only.
        var misnamed = fixture.Pki.IssueWithSubject("misnamed", "CN=zk.elsewhere.example", includeLoopback: false, "zk.elsewhere.example");
        using var certificate = X509Certificate2.CreateFromPemFile(misnamed.Certificate, misnamed.Key);
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            using var accepted = await listener.AcceptTcpClientAsync();
            await using var ssl = new SslStream(accepted.GetStream());
            try
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate });
            }
            catch (Exception exception) when (exception is IOException or System.Security.Authentication.AuthenticationException)
            {
                // The client hangs up on the certificate: expected.
            }
        });
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;

        var why = await FirstFailureAsync(new ZooKeeperClientOptions { ConnectionString = $"127.0.0.1:{port}", Tls = fixture.ClientTls(fixture.Deployment) });
        await serve;

        Assert.Contains("does not name the host", why, StringComparison.Ordinal);
    }

    /// <summary>Starts a client and returns why its first connection attempt failed (it must fail).</summary>
    private static async Task<string> FirstFailureAsync(ZooKeeperClientOptions options)
    {
        options.ConnectTimeout = TimeSpan.FromSeconds(30);
        await using var client = new ZooKeeperClient(options, FileLoggerFactory.FromEnvironment());
        await Eventually.UntilAsync(() => client.LastConnectFailure is not null || client.State == ZooKeeperState.Connected, "the first connection attempt to end");
        Assert.NotEqual(ZooKeeperState.Connected, client.State);
        return client.LastConnectFailure!;
    }
}
