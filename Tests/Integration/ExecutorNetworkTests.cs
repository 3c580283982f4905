using Zuul.LiveLog.Tests.Infrastructure;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.DependencyInjection;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Tls;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>
/// No open relay: a build's executor address must lie in its zone's executor networks, checked at registration (the
/// refusal reaches the registering client as its own exception type) and again by the gateway before it connects.
/// </summary>
public sealed class ExecutorNetworkTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);
    private readonly TestPki _pki = new("Orleans.Zuul Cluster CA");

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task RegistrationOfAnExecutorOutsideTheZonesNetworksIsRefused()
    {
        await using var cluster = new ClusterHarness();
        var silo = await cluster.StartSiloAsync("zone1", extra: [.. TlsArgs("silo1"), "--Zones:zone1:ExecutorNetworks:0", "10.99.0.0/16"]);
        var jobRoot = NewJobRoot();
        var executor = await cluster.StartExecutorAppAsync(jobRoot, "zone1", "127.0.0.1", TlsArgs("executor"));
        var client = executor.App.Services.GetRequiredService<IClusterClient>();
        var id = Guid.NewGuid().ToString("N");

        // A cluster member with a valid certificate asks the gateway to relay to 127.0.0.1:22.
        var refused = await Assert.ThrowsAsync<BuildRegistrationRefusedException>(() =>
            client.GetGrain<IBuildGrain>(id).StartAsync(new BuildStart("zone1", "127.0.0.1", 22, null, DateTimeOffset.UtcNow)));
        Assert.Equal($"Build {id} refused: executor address 127.0.0.1 is outside the executor networks of zone zone1 (10.99.0.0/16)", refused.Message);
        Assert.Null(await cluster.Grains.GetGrain<IBuildGrain>(id).GetAsync());
        Assert.Equal($"Build ID {id} not found\n", await FingerClient.FetchTextAsync(silo.FingerPort, id + "\n", Timeout));

        // The executor's own registration of a real build is refused the same way, with one line in its log.
        var build = new TestBuild(jobRoot);
        await cluster.Logs.WaitForAsync($"The cluster refused the start of build {build.Id}", "the executor to log the refusal", Timeout, "outside the executor networks of zone zone1");
        Assert.Null(await cluster.Grains.GetGrain<IBuildGrain>(build.Id).GetAsync());
    }

    [Fact]
    public async Task GatewayChecksTheExecutorAddressAgainBeforeConnecting()
    {
        using var executor = new TcpListener(IPAddress.Loopback, 0);
        executor.Start();
        var port = ((IPEndPoint)executor.LocalEndpoint).Port;
        await using var cluster = new ClusterHarness();
        // The build's grain lives on the permissive silo; the strict one's gateway is asked for it.
        var permissive = await cluster.StartSiloAsync("zone1");
        var strict = await cluster.StartSiloAsync("zone1", extra: ["--Zones:zone1:ExecutorNetworks:0", "10.99.0.0/16"]);
        var id = Guid.NewGuid().ToString("N");
        await cluster.Grains.GetGrain<IBuildGrain>(id).StartAsync(new BuildStart("zone1", "127.0.0.1", port, null, DateTimeOffset.UtcNow));

        var answer = await FingerClient.FetchTextAsync(strict.FingerPort, id + "\n", Timeout);

        Assert.Equal($"Build ID {id} is not relayed: its executor is outside its zone's executor networks\n", answer);
        Assert.False(executor.Pending(), "the strict gateway must not connect to the executor");
        Assert.True(cluster.Logs.Contains($"Build {id}: not relayed: executor address 127.0.0.1 is outside the executor networks of zone zone1"));

        // The same request through the permissive gateway does reach the executor: the check above is what stopped it.
        using var cts = new CancellationTokenSource(Timeout);
        var relayed = FingerClient.FetchTextAsync(permissive.FingerPort, id + "\n", Timeout);
        using var accepted = await executor.AcceptTcpClientAsync(cts.Token);
        accepted.Close();
        await relayed;
    }

    private string[] TlsArgs(string name)
    {
        var (certificate, key) = _pki.Issue(name);
        return ["--Orleans:Tls:Certificate", certificate, "--Orleans:Tls:Key", key, "--Orleans:Tls:Ca", _pki.CaPath];
    }

    private static string NewJobRoot()
    {
        var root = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "jobs-" + Guid.NewGuid().ToString("N")[..8], "root");
        Directory.CreateDirectory(root);
        return root;
    }
}
