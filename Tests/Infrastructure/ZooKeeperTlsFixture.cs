using Zuul.LiveLog.Tests.Tls;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// A ZooKeeper listening on a TLS port only (client certificates required), with its test CA and two client
/// identities: the deployment's (<see cref="Deployment"/>) and a stranger's from the same CA.
/// </summary>
public sealed class ZooKeeperTlsFixture : IAsyncLifetime
{
    public const string DeploymentSubject = "CN=orleans-zuul, OU=CI, O=\"Example, Inc.\"";

    public TestPki Pki { get; } = new("Orleans.Zuul ZooKeeper Test CA");

    public ZooKeeperServer Server { get; private set; } = null!;

    public (string Certificate, string Key) Deployment { get; private set; }

    public (string Certificate, string Key) Stranger { get; private set; }

    public async Task InitializeAsync()
    {
        var server = Pki.Issue("zookeeper", "localhost");
        Deployment = Pki.IssueWithSubject("deployment", DeploymentSubject);
        Stranger = Pki.IssueWithSubject("stranger", "CN=stranger");
        Server = await ZooKeeperServer.StartAsync(tls: new ZooKeeperServerTls(Pki.KeyStore("zookeeper", server), Pki.CaPath, Deployment.Certificate, Deployment.Key));
    }

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }

        Pki.Dispose();
    }

    /// <summary>TLS settings of a client presenting <paramref name="identity"/> (none: no client certificate).</summary>
    public ZooKeeperTlsOptions ClientTls((string Certificate, string Key)? identity) => new()
    {
        CaPath = Pki.CaPath,
        CertificatePath = identity?.Certificate,
        KeyPath = identity?.Key,
    };

    /// <summary>A fresh chroot created by the deployment's identity (open ACL, like a pre-existing deployment root).</summary>
    public async Task<string> NewChrootAsync()
    {
        if (await Server.EnsureRunningAsync() is { } repaired)
        {
            Console.Error.WriteLine($"ZooKeeperTlsFixture: the server on port {Server.Port} was restarted before the next test: {repaired}");
        }

        var chroot = "/tls-" + Guid.NewGuid().ToString("N");
        await using (var root = await ConnectAsync(Server.ConnectionString, Deployment))
        {
            await root.CreateAsync(chroot);
        }

        return Server.ConnectionString + chroot;
    }

    public Task<ZooKeeperClient> ConnectAsync(string connectionString, (string Certificate, string Key)? identity, IReadOnlyList<ZooKeeperCredential>? credentials = null, TimeSpan? sessionTimeout = null) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectionString = connectionString,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(6),
            ConnectTimeout = TimeSpan.FromSeconds(20),
            Tls = ClientTls(identity),
            Credentials = credentials ?? [],
        }, FileLoggerFactory.FromEnvironment());
}
