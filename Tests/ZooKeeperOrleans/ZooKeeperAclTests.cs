using Orleans.Runtime;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>
/// Every node the providers create (chroot, membership, grain state, gateway registry) is owned by the deployment's
/// identity: another client of the same CA may read (unless reads are restricted) but change nothing.
/// </summary>
[Collection(ZooKeeperTlsCollection.Name)]
public sealed class ZooKeeperAclTests(ZooKeeperTlsFixture fixture) : IAsyncLifetime
{
    // The deployment's providers stay up until the test ends: the gateway registration is ephemeral.
    private readonly List<IAsyncDisposable> _owned = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }
    }

    [Fact]
    public async Task NodesTheProvidersCreateAreOwnedByTheDeploymentAndReadOnlyForOthers()
    {
        var root = "/deploy-" + Guid.NewGuid().ToString("N")[..8];
        var nodes = await CreateEverythingAsync(root, restrictReads: false);
        await using var stranger = await fixture.ConnectAsync(fixture.Server.ConnectionString + root, fixture.Stranger);
        var owner = X509Identity.OfPemFile(fixture.Deployment.Certificate);

        foreach (var node in nodes)
        {
            var acl = (await stranger.GetAclAsync(node)).Acl;
            Assert.Equal([new Acl(Permissions.All, owner), new Acl(Permissions.Read, Id.AnyoneUnsafe)], acl);
            await stranger.GetDataAsync(node);
            await Assert.ThrowsAsync<NoAuthException>(() => stranger.SetDataAsync(node, "taken over"u8.ToArray()));
            await Assert.ThrowsAsync<NoAuthException>(() => stranger.CreateAsync(node.TrimEnd('/') + "/intruder"));
        }

        // Deleting a node needs Delete on its parent: the membership row and the gateway registration stay.
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.DeleteAsync(nodes[2] + "/iamalive"));
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.DeleteAsync(nodes[^1]));
    }

    [Fact]
    public async Task RestrictedReadsHideTheNodesFromOthers()
    {
        var root = "/deploy-" + Guid.NewGuid().ToString("N")[..8];
        var nodes = await CreateEverythingAsync(root, restrictReads: true);
        await using var stranger = await fixture.ConnectAsync(fixture.Server.ConnectionString + root, fixture.Stranger);

        foreach (var node in nodes)
        {
            await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync(node));
            await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetChildrenAsync(node));
        }
    }

    [Fact]
    public async Task DigestUserOwnsTheNodesWhenConfigured()
    {
        var root = "/deploy-" + Guid.NewGuid().ToString("N")[..8];
        await using var providers = new Providers(fixture.Server.ConnectionString, "c1", security: o =>
        {
            o.Root = root;
            o.Tls.Ca = fixture.Pki.CaPath;
            o.Tls.Certificate = fixture.Stranger.Certificate; // any certificate: the digest user is the one owner listed
            o.Tls.Key = fixture.Stranger.Key;
            o.Auth.Digest = "zuul:s3cret";
            o.Acl.Owners = ["digest:" + Acl.DigestId("zuul", "s3cret")];
        });
        var client = await providers.Connection.GetClientAsync();
        await client.CreateAsync("/made-here");

        // The same certificate without the digest credentials can no longer change it.
        await using var sameCertificate = await fixture.ConnectAsync(fixture.Server.ConnectionString + root, fixture.Stranger);
        await Assert.ThrowsAsync<NoAuthException>(() => sameCertificate.SetDataAsync("/made-here", "x"u8.ToArray()));
        await client.SetDataAsync("/made-here", "ok"u8.ToArray());
    }

    [Fact]
    public async Task ProcessThatWouldNotOwnItsNodesRefusesToStart()
    {
        await using var providers = new Providers(fixture.Server.ConnectionString, "c1", security: o =>
        {
            o.Root = "/deploy-" + Guid.NewGuid().ToString("N")[..8];
            o.Tls.Ca = fixture.Pki.CaPath;
            o.Tls.Certificate = fixture.Stranger.Certificate;
            o.Tls.Key = fixture.Stranger.Key;
            o.Acl.Owners = ["x509:" + X509Identity.OfPemFile(fixture.Deployment.Certificate).Value];
        });

        var error = await Assert.ThrowsAsync<ZooKeeperIdentityException>(() => providers.Connection.WaitUntilConnectedAsync());
        Assert.Contains("x509:CN=stranger", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Runs every provider once as the deployment; returns the nodes they made (chroot first, registration last).</summary>
    private async Task<List<string>> CreateEverythingAsync(string root, bool restrictReads)
    {
        var providers = new Providers(fixture.Server.ConnectionString, "c1", security: o =>
        {
            o.Root = root;
            o.Tls.Ca = fixture.Pki.CaPath;
            o.Tls.Certificate = fixture.Deployment.Certificate;
            o.Tls.Key = fixture.Deployment.Key;
            o.Acl.RestrictReads = restrictReads;
        });
        _owned.Add(providers);
        await providers.Table.InitializeMembershipTable(tryInitTableVersion: true);
        var entry = MembershipTableContractTests.NewEntry(SiloStatus.Active);
        Assert.True(await providers.Table.InsertRow(entry, (await providers.Table.ReadAll()).Version.Next()));
        var grain = GrainId.Create("build", Guid.NewGuid().ToString("N"));
        var state = new GrainState<BuildRecord>(new BuildRecord { ExecutorHostname = "exec1", LogPort = 7900 });
        await providers.Storage.WriteStateAsync("build", grain, state);
        var registration = await FingerGatewayRegistration.CreateAsync(providers.Connection,
            new RegisteredGateway(RegisteredGateway.FingerGatewayKind, "gw1", 7979, 7979, "zone1", true, "running", "test"));
        _owned.Add(registration);

        var nodes = new List<string>
        {
            "/",
            ZooKeeperPaths.Cluster("c1"),
            ZooKeeperPaths.Silo("c1", entry.SiloAddress.ToParsableString()),
            ZooKeeperPaths.GrainType("build"),
            ZooKeeperGrainStorage.PathOf(grain),
            ZooKeeperPaths.FingerGateways,
            registration.Path,
        };

        var owner = await providers.Connection.GetClientAsync();
        foreach (var node in nodes)
        {
            Assert.NotNull(await owner.ExistsAsync(node));
        }

        return nodes;
    }
}
