using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>
/// A small cluster of its own for the cost of Orleans TLS: silo A (zone A, primary), silo B (zone B) and an executor of
/// zone B, plus the benchmark's Orleans client of zone A; with <paramref name="tls"/> every Orleans connection among them
/// (silo to silo, executor and client to gateway) is mutual TLS (<c>Orleans:Tls:*</c>, one certificate each). The finger
/// hops stay plaintext, so two variants differ in Orleans' transport only. Builds of zone B resolved by zone A's client
/// cross silo to silo; a finger request to gateway A for a zone B build is two hops (A -> B -> executor) with a grain call
/// in each gateway.
/// </summary>
internal sealed class OrleansTlsVariant(Topology topo, bool tls) : IAsyncDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<Child> _children = [];
    private IHost? _client;

    public bool Tls => tls;

    public string Name => tls ? "orleans-tls" : "orleans-plain";

    public string JobRoot => Path.Combine(topo.WorkDir, Name, "jobs");

    /// <summary>Finger port of silo A's gateway (the first of the two hops).</summary>
    public int GatewayA { get; } = Net.FreePort();

    public IClusterClient Client => _client!.Services.GetRequiredService<IClusterClient>();

    public async Task StartAsync(Action<string> say)
    {
        Directory.CreateDirectory(JobRoot);
        var cluster = $"bench-{Name}-{Guid.NewGuid().ToString("N")[..6]}";
        int siloA = Net.FreePort(), orleansA = Net.FreePort(), siloB = Net.FreePort(), orleansB = Net.FreePort(), gatewayB = Net.FreePort();
        say($"{Name}: starting silos A and B and an executor of zone B (cluster {cluster})");
        string[] Silo(string zone, int siloPort, int orleansPort, int fingerPort) =>
        [
            topo.Dll("Silo", "Orleans.Zuul.Silo.dll"), "--Cluster:Id", cluster, "--Zone", zone,
            "--Orleans:SiloPort", siloPort.ToString(Inv), "--Orleans:GatewayPort", orleansPort.ToString(Inv),
            "--FingerGateway:ListenAddress", "127.0.0.1", "--FingerGateway:Port", fingerPort.ToString(Inv), "--FingerGateway:Hostname", "127.0.0.1",
            "--FingerGateway:MaxConnections", "1000000", "--FingerGateway:MaxConnectionsPerClient", "0", // as Topology: no limit in the way
            .. TlsArgs($"silo-{zone}"),
        ];
        var a = Start("silo-a", Silo("zoneA", siloA, orleansA, GatewayA));
        await Net.WaitForPortAsync(orleansA, TimeSpan.FromSeconds(240), $"{Name} silo A", () => a.Alive);
        var b = Start("silo-b", [.. Silo("zoneB", siloB, orleansB, gatewayB), "--Orleans:PrimarySiloEndpoint", $"127.0.0.1:{siloA.ToString(Inv)}"]);
        await Net.WaitForPortAsync(orleansB, TimeSpan.FromSeconds(240), $"{Name} silo B", () => b.Alive);
        var executorPort = Net.FreePort();
        var executor = Start("executor-b",
        [
            topo.Dll("Executor", "Orleans.Zuul.Executor.dll"), "--Cluster:Id", cluster, "--Orleans:GatewayPort", orleansB.ToString(Inv), "--Zone", "zoneB",
            "--Executor:JobRoot", JobRoot, "--Executor:LogStreamPort", executorPort.ToString(Inv),
            "--Executor:ListenAddress", "127.0.0.1", "--Executor:Hostname", "127.0.0.1", "--Executor:MaxConnections", "1000000",
            .. TlsArgs("executor-b"),
        ]);
        await Net.WaitForPortAsync(GatewayA, TimeSpan.FromSeconds(240), $"{Name} gateway A", () => a.Alive);
        await Net.WaitForPortAsync(executorPort, TimeSpan.FromSeconds(240), $"{Name} executor B", () => executor.Alive);
        _client = await ConnectAsync(["--Cluster:Id", cluster, "--Zone", "zoneA", "--Orleans:GatewayPort", orleansA.ToString(Inv), .. TlsArgs("client")]);
        var sw = Stopwatch.StartNew();
        while ((await Client.GetGrain<IZoneGatewayGrain>("zoneB").PickAsync()).Count < 1)
        {
            if (sw.Elapsed > TimeSpan.FromSeconds(180))
            {
                throw new TimeoutException($"{Name}: zone B's gateway did not register within 180 s");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the executor registered the builds and marked them finished.</summary>
    public async Task WaitForBuildsAsync(IEnumerable<string> ids)
    {
        var sw = Stopwatch.StartNew();
        foreach (var id in ids)
        {
            while (await Client.GetGrain<IBuildGrain>(id).GetAsync() is not { ExecutorHostname.Length: > 0, State: BuildState.Finished })
            {
                if (sw.Elapsed > TimeSpan.FromSeconds(180))
                {
                    throw new TimeoutException($"{Name}: build {id} was not registered as finished within 180 s");
                }

                await Task.Delay(50);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client is not null)
        {
            await _client.StopAsync();
            _client.Dispose();
        }

        for (var i = _children.Count - 1; i >= 0; i--)
        {
            await _children[i].StopAsync(TimeSpan.FromSeconds(10));
        }
    }

    private string[] TlsArgs(string who)
    {
        if (!tls)
        {
            return [];
        }

        var (certificate, key, loaded) = topo.Pki.Issue($"{Name}-{who}", $"{who}.bench.test");
        loaded.Dispose();
        return ["--Orleans:Tls:Certificate", certificate, "--Orleans:Tls:Key", key, "--Orleans:Tls:Ca", topo.Pki.CaPath];
    }

    private Child Start(string name, string[] args)
    {
        var child = Child.Start($"{Name}-{name}", topo.LogDir, "dotnet", args, topo.RepoRoot);
        _children.Add(child);
        return child;
    }

    private static async Task<IHost> ConnectAsync(string[] args)
    {
        for (var attempt = 1; ; attempt++)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = args, DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.AddZuulClusterClient();
            var host = builder.Build();
            try
            {
                await host.StartAsync();
                return host;
            }
            catch (Exception) when (attempt < 20)
            {
                host.Dispose();
                await Task.Delay(500);
            }
        }
    }
}
