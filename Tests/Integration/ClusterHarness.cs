using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Silo;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>
/// Real components in-process on loopback: silos (each with its finger gateway), web frontends and
/// the Orleans client of the test itself. Each harness is its own cluster (unique cluster id and ports).
/// With <paramref name="zooKeeper"/> (a connection string, usually a fresh chroot) every component uses ZooKeeper
/// clustering, grain storage and the gateway registry, with short session and membership timings.
/// </summary>
public sealed class ClusterHarness(string? zooKeeper = null) : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];

    /// <summary>The ZooKeeper connection string the components use; null = embedded localhost clustering.</summary>
    public string? ZooKeeper => zooKeeper;

    /// <summary>Run on each silo after it is built and before it starts (e.g. to hook its lifetime events first).</summary>
    public Action<WebApplication>? BeforeSiloStart { get; set; }

    /// <summary>Every silo started and not stopped, oldest first.</summary>
    public List<WebApplication> Silos { get; } = [];

    public int PrimarySiloPort { get; } = TestPorts.Next();

    public int OrleansGatewayPort { get; } = TestPorts.Next();

    public WebApplication? PrimarySilo { get; private set; }

    public IGrainFactory Grains => (Silos.FirstOrDefault() ?? PrimarySilo!).Services.GetRequiredService<IGrainFactory>();

    /// <summary>
    /// Starts a silo with its finger gateway on a free port. The first one is the primary (clients connect
    /// to its Orleans gateway); later ones join it. <paramref name="extra"/> are more <c>--Key value</c> pairs.
    /// </summary>
    public async Task<SiloHandle> StartSiloAsync(string? zone = null, string listenAddress = "127.0.0.1", params string[] extra)
    {
        var primary = PrimarySilo is null;
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        var args = new List<string>
        {
            "--Cluster:Id", _clusterId,
            "--Orleans:SiloPort", (primary ? PrimarySiloPort : TestPorts.Next()).ToString(inv),
            "--Orleans:GatewayPort", (primary ? OrleansGatewayPort : TestPorts.Next()).ToString(inv),
            "--FingerGateway:ListenAddress", listenAddress,
            "--FingerGateway:Port", "0",
            "--FingerGateway:Hostname", listenAddress,
            // Long enough that a loaded machine never cuts a real client (200 connect at once in one test); the test
            // about the timeout sets its own.
            "--FingerGateway:RequestTimeout", "00:00:30",
        };
        if (zooKeeper is not null)
        {
            args.AddRange(SiloArgs());
        }
        else if (!primary)
        {
            args.AddRange(["--Orleans:PrimarySiloEndpoint", $"127.0.0.1:{PrimarySiloPort.ToString(inv)}"]);
        }

        if (zone is not null)
        {
            args.AddRange(["--Zone", zone]);
        }

        args.AddRange(extra);
        var app = SiloApp.Build([.. args], ConfigureLogging);
        BeforeSiloStart?.Invoke(app);
        await app.StartAsync();
        _apps.Add(app);
        Silos.Add(app);
        PrimarySilo ??= app;
        // FingerPort 0: the gateway is switched off (FingerGateway:Enabled=false).
        var gatewayOn = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<FingerGatewayOptions>>().Value.Enabled;
        return new SiloHandle(app, gatewayOn ? app.GetFingerGatewayPort() : 0);
    }

    /// <summary>Starts a web frontend on a free port, as an Orleans client of this cluster.</summary>
    public async Task<Uri> StartWebFrontendAsync(string? zone = null, params string[] extra) =>
        new((await StartWebFrontendAppAsync(zone, extra)).Urls.First());

    /// <summary>Starts a web frontend on a free port and returns it (its <c>Urls</c>: the public one first, then any admin listener).</summary>
    public async Task<WebApplication> StartWebFrontendAppAsync(string? zone = null, params string[] extra)
    {
        var args = new List<string>
        {
            "--Cluster:Id", _clusterId,
            "--Orleans:GatewayPort", OrleansGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--urls", "http://127.0.0.1:0",
        };
        args.AddRange(ZooKeeperArgs());
        if (zone is not null)
        {
            args.AddRange(["--Zone", zone]);
        }

        args.AddRange(extra);
        var app = WebFrontendApp.Build([.. args], ConfigureLogging);
        await app.StartAsync();
        _apps.Add(app);
        return app;
    }

    /// <summary>Client arguments for another in-process Orleans client (e.g. an executor) of this cluster.</summary>
    public string[] ClientArgs() =>
    [
        "--Cluster:Id", _clusterId,
        "--Orleans:GatewayPort", OrleansGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        .. ZooKeeperArgs(),
    ];

    /// <summary>With ZooKeeper: what every silo of this cluster gets (cluster id, ZooKeeper, loopback, short membership timings).</summary>
    public string[] SiloArgs() =>
    [
        "--Cluster:Id", _clusterId,
        .. ZooKeeperArgs(),
        "--Orleans:AdvertisedAddress", "127.0.0.1",
        "--Orleans:Membership:ProbeTimeout", "00:00:01",
        "--Orleans:Membership:NumMissedProbesLimit", "2",
        "--Orleans:Membership:NumVotesForDeathDeclaration", "1",
        "--Orleans:Membership:IAmAliveTablePublishTimeout", "00:00:05",
        "--Orleans:Membership:TableRefreshTimeout", "00:00:02",
    ];

    /// <summary>The ZooKeeper settings of every component (none without ZooKeeper).</summary>
    public string[] ZooKeeperArgs() => zooKeeper is null ? [] :
    [
        "--ZooKeeper:ConnectionString", zooKeeper,
        "--ZooKeeper:SessionTimeout", "00:00:04",
        "--ZooKeeper:Clustering:GatewayListRefreshPeriod", "00:00:01",
    ];

    /// <summary>
    /// Stops a silo. <paramref name="graceful"/> = false stops it with an already cancelled token, so it skips the
    /// graceful hand-over (no deactivations, no goodbye to the cluster): the nearest to a crash in-process.
    /// </summary>
    public async Task StopSiloAsync(WebApplication silo, bool graceful = true)
    {
        Silos.Remove(silo);
        _apps.Remove(silo);
        using var cts = new CancellationTokenSource(graceful ? TimeSpan.FromSeconds(15) : TimeSpan.Zero);
        try
        {
            await silo.StopAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
        }

        await silo.DisposeAsync();
    }

    /// <summary>
    /// Embedded mode: the primary silo crashes (no graceful stop) and a new one starts on the same ports, with none of
    /// the old one's in-memory state; clients reconnect to it by themselves.
    /// </summary>
    public async Task<SiloHandle> RestartPrimarySiloAsync(string? zone = null, params string[] extra)
    {
        await StopSiloAsync(PrimarySilo!, graceful: false);
        PrimarySilo = null;
        return await StartSiloAsync(zone, "127.0.0.1", extra);
    }

    public void Track(WebApplication app) => _apps.Add(app);

    /// <summary>Starts a real executor over <paramref name="jobRoot"/> on 127.0.0.1, port 0; returns its log port.</summary>
    public async Task<int> StartExecutorAsync(string jobRoot, string? zone = null, string listenAddress = "127.0.0.1") =>
        (await StartExecutorAppAsync(jobRoot, zone, listenAddress)).Port;

    /// <summary>Starts a real executor listening on <paramref name="listenAddress"/>, port 0; <paramref name="extra"/> are more <c>--Key value</c> pairs.</summary>
    public async Task<ExecutorHandle> StartExecutorAppAsync(string jobRoot, string? zone, string listenAddress, params string[] extra)
    {
        var args = new List<string>(ClientArgs())
        {
            "--Executor:JobRoot", jobRoot,
            "--Executor:LogStreamPort", "0",
            "--Executor:ListenAddress", listenAddress,
            "--Executor:Hostname", listenAddress,
            "--Executor:JobRootScanInterval", "00:00:00.200",
        };
        if (zone is not null)
        {
            args.AddRange(["--Zone", zone]);
        }

        args.AddRange(extra);
        var executor = Zuul.LiveLog.Executor.ExecutorApp.Build([.. args], ConfigureLogging);
        await executor.StartAsync();
        _apps.Add(executor);
        return new ExecutorHandle(executor, Zuul.LiveLog.Executor.ExecutorApp.GetLogStreamPort(executor), jobRoot);
    }

    /// <summary>Creates a build in <paramref name="jobRoot"/> and waits until its executor registered it.</summary>
    public async Task<TestBuild> StartBuildAsync(string jobRoot, string? jobName = null, string? tenant = null)
    {
        var build = new TestBuild(jobRoot, jobName, tenant: tenant);
        await Eventually.UntilAsync(
            async () => await Grains.GetGrain<Zuul.LiveLog.Grains.IBuildGrain>(build.Id).GetAsync() is { State: Zuul.LiveLog.Grains.BuildState.Running }, $"the executor to register build {build.Id}", TimeSpan.FromSeconds(30));
        return build;
    }

    /// <summary>Waits until <paramref name="zone"/> has <paramref name="count"/> running gateways registered.</summary>
    public async Task WaitForGatewaysAsync(string zone, int count)
    {
        try
        {
            await Eventually.UntilAsync(
                async () => (await Grains.GetGrain<Zuul.LiveLog.Grains.IZoneGatewayGrain>(zone).PickAsync()).Count >= count, $"{count} gateway(s) registered in zone {zone}", TimeSpan.FromSeconds(30));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException(ex.Message + Environment.NewLine + "Our warnings and errors:" + Environment.NewLine + string.Join(Environment.NewLine, Logs.Problems.TakeLast(20)), ex);
        }
    }

    /// <summary>Every log line of every component of this harness at Information and above, for assertions.</summary>
    public LogCollector Logs { get; } = new();

    /// <summary>Quiet console, plus the <see cref="Logs"/> collector.</summary>
    public void ConfigureLogging(WebApplicationBuilder builder)
    {
        QuietLogging(builder);
        builder.Logging.AddProvider(Logs);
        builder.Logging.AddFilter<LogCollector>("Zuul.LiveLog", LogLevel.Information);
        // Unhandled exceptions of connection handlers are logged by Kestrel: keep them for failure messages.
        builder.Logging.AddFilter<LogCollector>("Microsoft.AspNetCore.Server.Kestrel", LogLevel.Debug);
    }

    public static void QuietLogging(WebApplicationBuilder builder)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft", LogLevel.Error);
    }

    public async ValueTask DisposeAsync()
    {
        // Clients and executors stop first, the silo that holds the grains last; only then is anything disposed. A
        // stopping silo tells the clients still connected to its gateway, and an Orleans client that is already
        // disposed when that message arrives throws on a thread-pool thread (OutsideRuntimeClient.SendResponse),
        // which ends the whole test process.
        for (var i = _apps.Count - 1; i >= 0; i--)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _apps[i].StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
            }
        }

        for (var i = _apps.Count - 1; i >= 0; i--)
        {
            await _apps[i].DisposeAsync();
        }
    }
}

public sealed record SiloHandle(WebApplication App, int FingerPort);

public sealed record ExecutorHandle(WebApplication App, int Port, string JobRoot)
{
    public Zuul.LiveLog.Executor.ConnectionLedger Ledger => App.Services.GetRequiredService<Zuul.LiveLog.Executor.ConnectionLedger>();
}
