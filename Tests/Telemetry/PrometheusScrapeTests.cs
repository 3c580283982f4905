using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.Tests.ZooKeeperOrleans;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.Telemetry;

/// <summary>
/// Debian's prometheus scrapes the real processes (two silos' health ports, the web frontend, the executor's health
/// port) while one build of zone B streams through two hops: finger through zone A's gateway and zone B's gateway to
/// the executor, and a websocket through the web frontend (zone A) and zone B's gateway. PromQL through prometheus'
/// HTTP API must give each zone's streams and bytes per hop.
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class PrometheusScrapeTests(ZooKeeperFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private const string ZoneA = "zone-a";
    private const string ZoneB = "zone-b";

    private readonly List<IAsyncDisposable> _owned = [];
    private readonly string _jobRoot = Directory.CreateTempSubdirectory("zuul-metrics-jobs-").FullName;
    private PrometheusServer? _prometheus;

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        // Clients first, the silos last (the order they were started in, reversed).
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task PrometheusCountsEachZonesStreamsAndBytesPerHop()
    {
        var inv = CultureInfo.InvariantCulture;
        await using var cluster = new ClusterHarness(await fixture.NewChrootAsync()); // only its arguments: the processes are ours
        var (healthA, healthB, healthExecutor, fingerA, web) = (TestPorts.Next(), TestPorts.Next(), TestPorts.Next(), TestPorts.Next(), TestPorts.Next());
        string[] Silo(string zone, int health, int finger) =>
        [
            .. cluster.SiloArgs(), "--Zone", zone,
            "--Orleans:SiloPort", TestPorts.Next().ToString(inv), "--Orleans:GatewayPort", TestPorts.Next().ToString(inv),
            "--FingerGateway:ListenAddress", "127.0.0.1", "--FingerGateway:Hostname", "127.0.0.1", "--FingerGateway:Port", finger.ToString(inv),
            "--Health:ListenAddress", "127.0.0.1", "--Health:Port", health.ToString(inv), "--Logging:LogLevel:Default", "Warning",
        ];
        var components = new List<ComponentProcess>
        {
            Own(ComponentProcess.Start("silo-a", null, "Orleans.Zuul.Silo.dll", Silo(ZoneA, healthA, fingerA))),
            Own(ComponentProcess.Start("silo-b", null, "Orleans.Zuul.Silo.dll", Silo(ZoneB, healthB, 0))),
            Own(ComponentProcess.Start("web", null, "Orleans.Zuul.WebFrontend.dll",
                [.. cluster.ClientArgs(), "--Zone", ZoneA, "--urls", $"http://127.0.0.1:{web.ToString(inv)}", "--Logging:LogLevel:Default", "Warning"])),
            Own(ComponentProcess.Start("executor", null, "Orleans.Zuul.Executor.dll",
            [
                .. cluster.ClientArgs(), "--Zone", ZoneB, "--Executor:JobRoot", _jobRoot, "--Executor:LogStreamPort", "0",
                "--Executor:ListenAddress", "127.0.0.1", "--Executor:Hostname", "127.0.0.1", "--Executor:JobRootScanInterval", "00:00:00.200",
                "--Health:ListenAddress", "127.0.0.1", "--Health:Port", healthExecutor.ToString(inv), "--Logging:LogLevel:Default", "Warning",
            ])),
        };
        _prometheus = Own(await PrometheusServer.StartAsync(new Dictionary<string, string[]>
        {
            ["silo"] = [$"127.0.0.1:{healthA.ToString(inv)}", $"127.0.0.1:{healthB.ToString(inv)}"],
            ["web"] = [$"127.0.0.1:{web.ToString(inv)}"],
            ["executor"] = [$"127.0.0.1:{healthExecutor.ToString(inv)}"],
        }));

        // Up: every process scraped, every ZooKeeper session connected, both zones' gateways registered.
        await ExpectAsync("sum by (job) (up)", ["job"], new() { ["silo"] = 2, ["web"] = 1, ["executor"] = 1 }, StartTimeout, components);
        await ExpectAsync("""sum by (job) (zuul_zookeeper_session_state{zuul_zookeeper_state="connected"})""", ["job"],
            new() { ["silo"] = 2, ["web"] = 1, ["executor"] = 1 }, StartTimeout, components);
        await ExpectAsync("""max by (zuul_gateway_zone) (zuul_gateways_registered{zuul_gateway_state="running"})""", ["zuul_gateway_zone"],
            new() { [ZoneA] = 1, [ZoneB] = 1 }, StartTimeout, components);

        var build = new TestBuild(_jobRoot, "metrics");
        var first = string.Concat(Enumerable.Range(0, 2000).Select(i => $"line {i} of the build's log, before anyone streams\n"));
        await build.AppendAsync(first);
        await ExpectAsync("""sum by (zuul_zone, zuul_registration_kind) (zuul_build_registrations_total)""", ["zuul_zone", "zuul_registration_kind"],
            new() { [$"{ZoneB}/start"] = 1 }, Timeout, components);
        await ExpectAsync("sum by (zuul_zone) (zuul_builds_running)", ["zuul_zone"], new() { [ZoneB] = 1 }, Timeout, components);

        // Two streams, two hops each: finger A -> B -> executor; websocket web(A) -> B -> executor. Zone B's gateway has
        // two clients (gateway A and the web frontend) of one build: they share its one upstream, so the executor streams once.
        var finger = FingerClient.FetchAsync(fingerA, build.Id + "\n", StartTimeout);
        var websocket = WebsocketClient.StreamAsync(new Uri($"http://127.0.0.1:{web.ToString(inv)}"), $$"""{"uuid": "{{build.Id}}"}""", StartTimeout);
        await ExpectAsync("sum by (zuul_zone, zuul_hop) (zuul_streams_active)", ["zuul_zone", "zuul_hop"],
            new() { [$"{ZoneA}/gateway"] = 1, [$"{ZoneA}/websocket"] = 1, [$"{ZoneB}/gateway"] = 2, [$"{ZoneB}/direct"] = 1 }, Timeout, components);
        await ExpectAsync("sum by (zuul_zone, job) (zuul_shared_upstreams)", ["zuul_zone", "job"],
            new() { [$"{ZoneA}/silo"] = 1, [$"{ZoneA}/web"] = 1, [$"{ZoneB}/silo"] = 1 }, Timeout, components);

        var rest = string.Concat(Enumerable.Range(0, 500).Select(i => $"line {i} appended while two clients follow\n"));
        await build.AppendAsync(rest);
        await build.FinishAsync();
        var log = first + rest;
        double n = Encoding.UTF8.GetByteCount(log);
        Assert.Equal(log, Encoding.UTF8.GetString(await finger));
        var (status, _, text) = await websocket;
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal(log, text);

        // Each hop's bytes in the zone that relayed them: zone A relayed each stream once, zone B's gateway both streams
        // (one per client) and its executor the one shared upstream.
        await ExpectAsync("sum by (zuul_zone, zuul_hop) (zuul_relay_io_bytes_total)", ["zuul_zone", "zuul_hop"],
            new() { [$"{ZoneA}/gateway"] = n, [$"{ZoneA}/websocket"] = n, [$"{ZoneB}/gateway"] = 2 * n, [$"{ZoneB}/direct"] = n }, Timeout, components);
        await ExpectAsync("sum by (zuul_zone, zuul_hop) (zuul_streams_opened_total)", ["zuul_zone", "zuul_hop"],
            new() { [$"{ZoneA}/gateway"] = 1, [$"{ZoneA}/websocket"] = 1, [$"{ZoneB}/gateway"] = 2, [$"{ZoneB}/direct"] = 1 }, Timeout, components);
        await ExpectAsync("sum by (zuul_zone, zuul_stream_outcome) (zuul_streams_ended_total)", ["zuul_zone", "zuul_stream_outcome"],
            new() { [$"{ZoneA}/completed"] = 2, [$"{ZoneB}/completed"] = 3 }, Timeout, components);
        await ExpectAsync("sum by (zuul_zone) (zuul_streams_active)", ["zuul_zone"], new() { [ZoneA] = 0, [ZoneB] = 0 }, Timeout, components);
        await ExpectAsync("sum by (zuul_zone) (zuul_stream_time_to_first_byte_seconds_count)", ["zuul_zone"], new() { [ZoneA] = 2, [ZoneB] = 3 }, Timeout, components);
        await ExpectAsync("sum by (zuul_zone) (zuul_shared_catchups_total)", ["zuul_zone"], new() { [ZoneA] = 0, [ZoneB] = 0 }, Timeout, components);
        // Zone A's gateway and the web frontend are sent to zone B's gateway; zone B's gateway (one upstream) to its executor.
        await ExpectAsync("sum by (zuul_zone, zuul_resolution) (zuul_stream_resolution_duration_seconds_count)", ["zuul_zone", "zuul_resolution"],
            new() { [$"{ZoneA}/gateway"] = 2, [$"{ZoneB}/executor"] = 1 }, Timeout, components);
        await ExpectAsync("sum by (zuul_zone) (zuul_builds_running)", ["zuul_zone"], new() { [ZoneB] = 0 }, Timeout, components);
        await ExpectAsync("""sum by (zuul_zone, zuul_registration_kind) (zuul_build_registrations_total)""", ["zuul_zone", "zuul_registration_kind"],
            new() { [$"{ZoneB}/start"] = 1, [$"{ZoneB}/finish"] = 1 }, Timeout, components);

        // Beside ours: Orleans' meters on the silos, the runtime's everywhere, ASP.NET Core's on the web frontend.
        await ExpectAsync("""count by (job) (count by (job, __name__) ({__name__=~"orleans_.+"}))""", ["job"], null, Timeout, components, atLeast: ["silo"]);
        await ExpectAsync("""count by (job) (dotnet_gc_collections_total)""", ["job"], null, Timeout, components, atLeast: ["silo", "web", "executor"]);
        await ExpectAsync("""count by (job) (http_server_request_duration_seconds_count)""", ["job"], null, Timeout, components, atLeast: ["web"]);

        // The Grafana dashboard: every query is valid PromQL over these metrics, and the panels of what happened show it.
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(RepositoryRoot.Path, "deploy", "grafana", "orleans-zuul.json")));
        var panels = dashboard.RootElement.GetProperty("panels").EnumerateArray().Where(p => p.TryGetProperty("targets", out _)).ToList();
        Assert.True(panels.Count >= 10, $"{panels.Count} panels with queries");
        string[] shown = ["Streams opened per second", "Throughput per zone and hop", "Streams ended per second, by outcome", "Time to first byte (p50, p90, p99)",
            "Resolution latency (p50, p90, p99)", "Builds running per zone", "Finger gateways registered per zone", "Build registrations per second"];
        foreach (var panel in panels)
        {
            var title = panel.GetProperty("title").GetString()!;
            foreach (var target in panel.GetProperty("targets").EnumerateArray())
            {
                // Grafana's variables as Grafana fills them in: every zone, a rate window wider than two scrapes.
                var promql = target.GetProperty("expr").GetString()!.Replace("$zone", ".*", StringComparison.Ordinal).Replace("$__rate_interval", "1m", StringComparison.Ordinal);
                var samples = await _prometheus.QueryAsync(promql); // throws on invalid PromQL
                if (shown.Contains(title) && samples.Count == 0)
                {
                    // rate() needs two samples of a series in its window: a series born at the streams' end needs a second scrape.
                    await Eventually.UntilAsync(async () => (await _prometheus.QueryAsync(promql)).Count > 0, $"dashboard panel '{title}' to show something: {promql}", Timeout);
                }
            }
        }
    }

    private T Own<T>(T owned)
        where T : IAsyncDisposable
    {
        _owned.Add(owned);
        return owned;
    }

    /// <summary>
    /// Polls <paramref name="promql"/> until its samples, keyed by <paramref name="labels"/> joined with '/', equal
    /// <paramref name="expected"/>, or (with <paramref name="atLeast"/>) include those keys with a value above 0.
    /// </summary>
    private async Task ExpectAsync(
        string promql, string[] labels, Dictionary<string, double>? expected, TimeSpan timeout, List<ComponentProcess> components, string[]? atLeast = null)
    {
        IReadOnlyDictionary<string, double> last = new Dictionary<string, double>();
        try
        {
            await Eventually.UntilAsync(async () =>
            {
                if (components.FirstOrDefault(c => c.HasExited) is { } exited)
                {
                    throw new InvalidOperationException($"{exited.Name} exited{Environment.NewLine}{exited.Tail()}");
                }

                last = (await _prometheus!.QueryAsync(promql)).ToDictionary(s => string.Join('/', labels.Select(l => s[l])), s => s.Value);
                return atLeast is not null
                    ? atLeast.All(k => last.TryGetValue(k, out var v) && v > 0)
                    : last.Count == expected!.Count && expected.All(e => last.TryGetValue(e.Key, out var v) && Math.Abs(v - e.Value) < 0.5);
            }, promql, timeout);
        }
        catch (TimeoutException ex)
        {
            var want = atLeast is not null ? "at least " + string.Join(", ", atLeast) : string.Join(", ", expected!.Select(e => $"{e.Key}={e.Value}"));
            throw new TimeoutException(
                $"{ex.Message}{Environment.NewLine}want {want}{Environment.NewLine}got {string.Join(", ", last.Select(e => $"{e.Key}={e.Value}"))}" +
                $"{Environment.NewLine}targets:{Environment.NewLine}{await _prometheus!.TargetsAsync()}{Environment.NewLine}{_prometheus.Output}" +
                string.Concat(components.Select(c => Environment.NewLine + c.Tail())));
        }

        output.WriteLine($"{promql} -> {string.Join(", ", last.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => $"{e.Key}={e.Value}"))}");
    }
}
