using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>
/// The processes under test, all on 127.0.0.1, one cluster (no ZooKeeper):
/// zone A: primary silo + gateway GA (plaintext listener, TLS client towards other zones) and the web frontend;
/// zone B: silo + plaintext gateway GB, executor EB; zone C: silo + TLS gateway GC (client certificates), executor EC.
/// References: fakestreamer.py (sendfile) and socat one and two hops in front of it.
/// </summary>
internal sealed partial class Topology : IAsyncDisposable
{
    public const string GwCName = "gw-c.bench.test";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>How long a process may take to open its port: minutes, not seconds, on a machine shared with other builds.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);
    private readonly List<Child> _children = [];
    private IHost? _clientHost;

    public Topology(string repoRoot, string workDir)
    {
        RepoRoot = repoRoot;
        WorkDir = workDir;
        LogDir = Path.Combine(workDir, "logs");
        Directory.CreateDirectory(LogDir);
        Directory.CreateDirectory(Staging);
        Directory.CreateDirectory(JobRootB);
        Directory.CreateDirectory(JobRootC);
        Directory.CreateDirectory(FakeRoot);
        Pki = new Pki(Path.Combine(workDir, "pki"));
    }

    public string RepoRoot { get; }

    public string WorkDir { get; }

    public string LogDir { get; }

    public string Staging => Path.Combine(WorkDir, "staging");

    public string JobRootB => Path.Combine(WorkDir, "jobs-b");

    public string JobRootC => Path.Combine(WorkDir, "jobs-c");

    public string FakeRoot => Path.Combine(WorkDir, "fake-root");

    public Pki Pki { get; }

    public string ClusterId { get; } = "bench-" + Guid.NewGuid().ToString("N")[..8];

    public int SiloPortA { get; } = Net.FreePort();

    public int OrleansGatewayA { get; } = Net.FreePort();

    public int OrleansGatewayB { get; } = Net.FreePort();

    public int OrleansGatewayC { get; } = Net.FreePort();

    public int GA { get; } = Net.FreePort();

    public int GB { get; } = Net.FreePort();

    public int GC { get; } = Net.FreePort();

    public int EB { get; } = Net.FreePort();

    public int EC { get; } = Net.FreePort();

    public int Web { get; } = Net.FreePort();

    public int Fake { get; private set; }

    public int Socat1 { get; private set; }

    public int Socat2 { get; private set; }

    public bool HasFakeStreamer { get; private set; }

    public string? FakeStreamerScript { get; private set; }

    public Child? SiloA { get; private set; }

    public Child? SiloB { get; private set; }

    public Child? SiloC { get; private set; }

    public Child? ExecutorB { get; private set; }

    public Child? ExecutorC { get; private set; }

    public Child? WebProcess { get; private set; }

    public Child? FakeProcess { get; private set; }

    public Child? Socat1Process { get; private set; }

    public Child? Socat2Process { get; private set; }

    public (string Certificate, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Loaded) ClientCert { get; private set; }

    public IClusterClient Client => _clientHost!.Services.GetRequiredService<IClusterClient>();

    public string Dll(string project, string name) => Path.Combine(RepoRoot, project, "bin", "Release", "net10.0", name);

    public string SharedBench => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "bench"));

    private (string Certificate, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Loaded) _gwA;
    private (string Certificate, string Key, System.Security.Cryptography.X509Certificates.X509Certificate2 Loaded) _gwC;

    public async Task StartAsync(Action<string> say)
    {
        foreach (var dll in new[] { Dll("Silo", "Orleans.Zuul.Silo.dll"), Dll("Executor", "Orleans.Zuul.Executor.dll"), Dll("WebFrontend", "Orleans.Zuul.WebFrontend.dll") })
        {
            if (!File.Exists(dll))
            {
                throw new FileNotFoundException($"{dll} is missing; build Release first (scripts/bench.sh does)");
            }
        }

        _gwA = Pki.Issue("gw-a", "gw-a.bench.test");
        _gwC = Pki.Issue("gw-c", GwCName);
        ClientCert = Pki.Issue("client", "client.bench.test");

        say($"starting the cluster {ClusterId} (work dir {WorkDir})");
        SiloA = StartSilo("silo-a", "zoneA", SiloPortA, OrleansGatewayA, GA, "127.0.0.1", primary: true,
            "--FingerGateway:Tls:Certificate", _gwA.Certificate, "--FingerGateway:Tls:Key", _gwA.Key,
            "--FingerGateway:Tls:Ca", Pki.CaPath, "--FingerGateway:Tls:ClientOnly", "true",
            $"--FingerGateway:Hosts:{GwCName}", "127.0.0.1");
        await Net.WaitForPortAsync(OrleansGatewayA, StartTimeout, "silo A", () => SiloA.Alive);
        SiloB = StartSilo("silo-b", "zoneB", Net.FreePort(), OrleansGatewayB, GB, "127.0.0.1", primary: false);
        SiloC = StartSilo("silo-c", "zoneC", Net.FreePort(), OrleansGatewayC, GC, GwCName, primary: false, TlsListenerArgs());
        await Task.WhenAll(
            Net.WaitForPortAsync(OrleansGatewayB, StartTimeout, "silo B", () => SiloB.Alive),
            Net.WaitForPortAsync(OrleansGatewayC, StartTimeout, "silo C", () => SiloC.Alive));

        // Executors are clients of their own zone's silo, as with ZooKeeper's zone-preferring gateway list.
        ExecutorB = StartExecutor("executor-b", "zoneB", JobRootB, EB, OrleansGatewayB);
        ExecutorC = StartExecutor("executor-c", "zoneC", JobRootC, EC, OrleansGatewayC);
        WebProcess = Start("web", "dotnet", [Dll("WebFrontend", "Orleans.Zuul.WebFrontend.dll"), .. ClientArgs(), "--Zone", "zoneA", "--urls", $"http://127.0.0.1:{Web}",
            "--WebFrontend:MaxConsoleStreams", "1000000", "--WebFrontend:MaxConsoleStreamsPerClient", "0",
            // Every benchmark client comes from 127.0.0.1: the stream-open rate limit would measure itself.
            "--Web:StreamOpenLimit", "1000000", "--Web:StreamOpenWindow", "00:00:01"]);
        StartReferences(say);

        await Task.WhenAll(
            Net.WaitForPortAsync(GA, StartTimeout, "gateway A"),
            Net.WaitForPortAsync(GB, StartTimeout, "gateway B"),
            Net.WaitForPortAsync(GC, StartTimeout, "gateway C"),
            Net.WaitForPortAsync(EB, StartTimeout, "executor B"),
            Net.WaitForPortAsync(EC, StartTimeout, "executor C"),
            Net.WaitForPortAsync(Web, StartTimeout, "web frontend"));
        if (HasFakeStreamer)
        {
            await Net.WaitForPortAsync(Fake, TimeSpan.FromSeconds(30), "fakestreamer.py");
        }

        await Net.WaitForPortAsync(Socat1, TimeSpan.FromSeconds(10), "socat 1");
        await Net.WaitForPortAsync(Socat2, TimeSpan.FromSeconds(10), "socat 2");
        await ConnectClientAsync();
        await WaitForGatewaysAsync("zoneB", 1);
        await WaitForGatewaysAsync("zoneC", 1);
        say("all processes up");
    }

    public string[] TlsListenerArgs() =>
    [
        "--FingerGateway:Tls:Certificate", _gwC.Certificate, "--FingerGateway:Tls:Key", _gwC.Key, "--FingerGateway:Tls:Ca", Pki.CaPath,
    ];

    private string[] ClientArgs() => ["--Cluster:Id", ClusterId, "--Orleans:GatewayPort", OrleansGatewayA.ToString(Inv)];

    /// <summary>Starts a silo with its finger gateway (also used for the fresh gateways of the concurrency run).</summary>
    public Child StartSilo(string name, string zone, int siloPort, int orleansGateway, int fingerPort, string hostname, bool primary, params string[] extra)
    {
        var args = new List<string>
        {
            Dll("Silo", "Orleans.Zuul.Silo.dll"),
            "--Cluster:Id", ClusterId, "--Zone", zone,
            "--Orleans:SiloPort", siloPort.ToString(Inv), "--Orleans:GatewayPort", orleansGateway.ToString(Inv),
            "--FingerGateway:ListenAddress", "127.0.0.1", "--FingerGateway:Port", fingerPort.ToString(Inv),
            "--FingerGateway:Hostname", hostname,
            // Every benchmark client comes from 127.0.0.1, and the idle-stream run holds 10,000: no limit in the way.
            "--FingerGateway:MaxConnections", "1000000", "--FingerGateway:MaxConnectionsPerClient", "0",
        };
        if (!primary)
        {
            args.AddRange(["--Orleans:PrimarySiloEndpoint", $"127.0.0.1:{SiloPortA.ToString(Inv)}"]);
        }

        args.AddRange(extra);
        return Start(name, "dotnet", args);
    }

    private Child StartExecutor(string name, string zone, string jobRoot, int port, int orleansGateway) =>
        Start(name, "dotnet",
        [
            Dll("Executor", "Orleans.Zuul.Executor.dll"), "--Cluster:Id", ClusterId, "--Orleans:GatewayPort", orleansGateway.ToString(Inv), "--Zone", zone,
            "--Executor:JobRoot", jobRoot, "--Executor:LogStreamPort", port.ToString(Inv),
            "--Executor:ListenAddress", "127.0.0.1", "--Executor:Hostname", "127.0.0.1",
            "--Executor:MaxConnections", "1000000",
        ]);

    private void StartReferences(Action<string> say)
    {
        FakeStreamerScript = Path.Combine(SharedBench, "fakestreamer.py");
        HasFakeStreamer = File.Exists(FakeStreamerScript);
        if (HasFakeStreamer)
        {
            Fake = Net.FreePort();
            FakeProcess = Start("fakestreamer", "python3", [FakeStreamerScript, "--root", FakeRoot, "--port", Fake.ToString(Inv), "--quiet", "--lifetime", "0"]);
        }
        else
        {
            say($"NOTE: {FakeStreamerScript} not found: no reference streamer; socat relays to executor B instead");
        }

        var behind = HasFakeStreamer ? Fake : EB;
        Socat1 = Net.FreePort();
        Socat2 = Net.FreePort();
        Socat1Process = Start("socat-1", "socat", [$"TCP-LISTEN:{Socat1},bind=127.0.0.1,reuseaddr,fork,backlog=4096", $"TCP:127.0.0.1:{behind}"]);
        Socat2Process = Start("socat-2", "socat", [$"TCP-LISTEN:{Socat2},bind=127.0.0.1,reuseaddr,fork,backlog=4096", $"TCP:127.0.0.1:{Socat1}"]);
    }

    public Child Start(string name, string program, IEnumerable<string> args)
    {
        var child = Child.Start(name, LogDir, program, args, RepoRoot);
        _children.Add(child);
        return child;
    }

    private async Task ConnectClientAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = ClientArgs(), DisableDefaults = true });
            builder.Logging.ClearProviders();
            builder.AddZuulClusterClient();
            var host = builder.Build();
            try
            {
                await host.StartAsync();
                _clientHost = host;
                return;
            }
            catch (Exception) when (attempt < 20)
            {
                host.Dispose();
                await Task.Delay(500);
            }
        }
    }

    public async Task WaitForGatewaysAsync(string zone, int count, TimeSpan? timeout = null)
    {
        var sw = Stopwatch.StartNew();
        while ((await Client.GetGrain<IZoneGatewayGrain>(zone).PickAsync()).Count < count)
        {
            if (sw.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
            {
                throw new TimeoutException($"zone {zone} has fewer than {count} registered gateways");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>Waits until the executors registered the builds (and, with <paramref name="finished"/>, also marked them finished).</summary>
    public async Task WaitForBuildsAsync(IEnumerable<string> ids, TimeSpan? timeout = null, bool finished = false)
    {
        var sw = Stopwatch.StartNew();
        foreach (var id in ids)
        {
            while (await Client.GetGrain<IBuildGrain>(id).GetAsync() is not { ExecutorHostname.Length: > 0 } info
                || (finished && info.State != BuildState.Finished))
            {
                if (sw.Elapsed > (timeout ?? TimeSpan.FromSeconds(60)))
                {
                    throw new TimeoutException($"build {id} was not registered");
                }

                await Task.Delay(50);
            }
        }
    }

    /// <summary>
    /// Creates a build directory (staged, then moved in at once): its log is <paramref name="content"/> or a hard link
    /// to <paramref name="linkTo"/>; <paramref name="finished"/> writes the .done marker. Returns (id, log path).
    /// </summary>
    public (string Id, string Log) CreateBuild(string jobRoot, byte[]? content = null, string? linkTo = null, bool finished = true, string? id = null)
    {
        id ??= Guid.NewGuid().ToString("N");
        var stage = Path.Combine(Staging, id);
        var logs = Path.Combine(stage, "work", "logs");
        Directory.CreateDirectory(logs);
        var log = Path.Combine(logs, "job-output.txt");
        if (linkTo is not null)
        {
            Os.HardLink(linkTo, log);
        }
        else
        {
            File.WriteAllBytes(log, content ?? []);
        }

        if (finished)
        {
            File.WriteAllText(log + ".done", "SUCCESS\n");
        }

        var final = Path.Combine(jobRoot, id);
        Directory.Move(stage, final);
        return (id, Path.Combine(final, "work", "logs", "job-output.txt"));
    }

    /// <summary>Writes <paramref name="bytes"/> of Zuul-like console lines (timestamps, hosts, ANSI colours).</summary>
    public static void WriteZuulLikeLog(string path, long bytes) => ZuulLikeLog.Write(path, bytes, int.MaxValue);

    /// <summary>The processes a target's bytes pass through (for CPU seconds per GB), the load client excluded.</summary>
    public int[] PathPids(string key)
    {
        var server = HasFakeStreamer ? FakeProcess : ExecutorB;
        Child?[] path = key switch
        {
            "direct-ref" => [FakeProcess],
            "executor" => [ExecutorB],
            "gw-1hop" => [SiloB, ExecutorB],
            "gw-2hop" => [SiloA, SiloB, ExecutorB],
            "gw-1hop-tls" => [SiloC, ExecutorC],
            "gw-2hop-tls" => [SiloA, SiloC, ExecutorC],
            "websocket" => [WebProcess, SiloB, ExecutorB],
            "socat-1hop" => [Socat1Process, server],
            "socat-2hop" => [Socat2Process, Socat1Process, server],
            _ => [],
        };
        return path.Where(c => c is not null).Select(c => c!.Pid).ToArray();
    }

    /// <summary>On SIGINT/SIGTERM: stop every child we started (by pid), quickly.</summary>
    public void EmergencyStop()
    {
        Task.WhenAll(_children.Select(c => c.StopAsync(TimeSpan.FromSeconds(3)))).Wait(TimeSpan.FromSeconds(5));
    }

    public async ValueTask DisposeAsync()
    {
        if (_clientHost is not null)
        {
            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                await _clientHost.StopAsync(cts.Token);
            }
            catch (Exception)
            {
            }

            _clientHost.Dispose();
        }

        // Clients first, then the silos (the primary last), each SIGTERM then kill.
        var order = _children.Where(c => !c.Name.StartsWith("silo", StringComparison.Ordinal)).ToList();
        await Task.WhenAll(order.Select(c => c.StopAsync(TimeSpan.FromSeconds(5))));
        var silos = _children.Where(c => c.Name.StartsWith("silo", StringComparison.Ordinal)).Reverse().ToList();
        await Task.WhenAll(silos.Where(c => c != SiloA).Select(c => c.StopAsync(TimeSpan.FromSeconds(8))));
        if (SiloA is not null)
        {
            await SiloA.StopAsync(TimeSpan.FromSeconds(8));
        }

        Pki.Dispose();
    }
}
