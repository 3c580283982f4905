using System.Net.Sockets;
using System.Text;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>
/// The single-zone slice end to end on loopback: a real executor writing a growing log, the silo's finger
/// gateway and the web frontend's websocket, all streaming the same bytes while they are written. Run on the
/// embedded default and on ZooKeeper (<see cref="ZooKeeperOrleans.ZooKeeperStreamingTests"/>).
/// </summary>
public abstract class SingleZoneStreamingTestsBase : IAsyncLifetime
{
    protected static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "e2e-" + Guid.NewGuid().ToString("N"));
    private ClusterHarness _cluster = null!;
    private SiloHandle _silo = null!;
    private Uri _web = null!;
    private int _executorPort;

    protected ClusterHarness Cluster => _cluster;

    protected SiloHandle Silo => _silo;

    protected Uri Web => _web;

    protected string JobRoot => _jobRoot;

    /// <summary>The cluster to test: embedded, or on a fresh ZooKeeper chroot.</summary>
    protected abstract Task<ClusterHarness> NewClusterAsync();

    /// <summary>More <c>--Key value</c> settings for the silo.</summary>
    protected virtual string[] SiloSettings => [];

    /// <summary>How the gateway relays a plaintext stream with <see cref="SiloSettings"/>.</summary>
    protected virtual RelayPath ExpectedGatewayRelay => RelayPath.Shared;

    /// <summary>More <c>--Key value</c> settings for the web frontend.</summary>
    protected virtual string[] WebSettings => [];

    public async Task InitializeAsync()
    {
        _cluster = await NewClusterAsync();
        Directory.CreateDirectory(_jobRoot);
        _silo = await _cluster.StartSiloAsync(null, "127.0.0.1", SiloSettings);
        _web = await _cluster.StartWebFrontendAsync(null, WebSettings);
        _executorPort = await _cluster.StartExecutorAsync(_jobRoot);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task GrowingLogArrivesCompleteAndInOrderThroughEveryPath()
    {
        var build = await StartBuildAsync();
        long executorBytes = 0, gatewayBytes = 0, websocketBytes = 0;
        var viaExecutor = FingerClient.FetchAsync(_executorPort, build.Id + "\n", Timeout, onReceived: n => Interlocked.Add(ref executorBytes, n));
        var viaGateway = FingerClient.FetchAsync(_silo.FingerPort, build.Id + "\r\n", Timeout, onReceived: n => Interlocked.Add(ref gatewayBytes, n));
        var viaWebsocket = WebsocketClient.StreamAsync(
            _web, $"{{\"uuid\": \"{build.Id}\", \"logfile\": \"console.log\"}}", Timeout,
            chunk => Interlocked.Add(ref websocketBytes, Encoding.UTF8.GetByteCount(chunk)));

        // Write while the three readers follow; multi-byte characters test the websocket's UTF-8 cuts.
        long written = 0;
        for (var i = 0; i < 300; i++)
        {
            var line = $"\u001b[32mok\u001b[0m: line {i:D4} ünïcödé 😀 {new string('x', i % 97)}\n";
            await build.AppendAsync(line);
            written += Encoding.UTF8.GetByteCount(line);
            if (i % 50 == 0)
            {
                // Every reader has all bytes so far before more are written, so some arrive by following.
                await Eventually.UntilAsync(
                    () => Interlocked.Read(ref executorBytes) >= written && Interlocked.Read(ref gatewayBytes) >= written && Interlocked.Read(ref websocketBytes) >= written,
                    $"every reader to have the first {written} bytes", Timeout);
            }
        }

        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        Assert.Equal(expected, await viaExecutor);
        Assert.Equal(expected, await viaGateway);
        var (status, _, text) = await viaWebsocket;
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal(Encoding.UTF8.GetString(expected), text);
    }

    [Fact]
    public async Task AppendedLineReachesAGatewayFollowerWhileTheBuildRuns()
    {
        var build = await StartBuildAsync();
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _silo.FingerPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(build.Id + "\n"));
        var received = new MemoryStream();
        var buffer = new byte[4096];
        for (var i = 0; i < 5; i++)
        {
            var line = $"live line {i}\n";
            await build.AppendAsync(line);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            while (!Encoding.UTF8.GetString(received.ToArray()).Contains(line, StringComparison.Ordinal))
            {
                var n = await stream.ReadAsync(buffer, cts.Token);
                Assert.True(n > 0, $"stream ended before '{line.Trim()}' arrived");
                received.Write(buffer, 0, n);
            }
        }

        await build.FinishAsync();
    }

    [Fact]
    public async Task ResumingByOffsetNeitherLosesNorRepeats()
    {
        var build = await StartBuildAsync();
        await build.AppendAsync("first line\nsecond line\n");
        await build.AppendAsync("third line\n");
        await build.FinishAsync();
        var skip = Encoding.UTF8.GetByteCount("first line\n");
        var (_, _, text) = await WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{build.Id}\", \"offset\": {skip}}}", Timeout);
        Assert.Equal("second line\nthird line\n", text);
    }

    [Fact]
    public async Task ClientLeavingMidStreamDoesNotDisturbOthers()
    {
        var build = await StartBuildAsync();
        await build.AppendAsync(new string('a', 100_000) + "\n");
        var steady = FingerClient.FetchAsync(_silo.FingerPort, build.Id + "\n", Timeout);
        using (var leaver = new TcpClient())
        {
            await leaver.ConnectAsync("127.0.0.1", _silo.FingerPort);
            await leaver.GetStream().WriteAsync(Encoding.ASCII.GetBytes(build.Id + "\n"));
            var got = await leaver.GetStream().ReadAsync(new byte[1000]);
            Assert.True(got > 0);
            leaver.Client.LingerState = new LingerOption(true, 0); // reset, the rudest way to leave
        }

        await build.AppendAsync("after the leaver\n");
        await build.FinishAsync();
        Assert.Equal(await File.ReadAllBytesAsync(build.LogPath), await steady);
    }

    [Fact]
    public async Task TwoHundredConcurrentStreamsReceiveIdenticalBytes()
    {
        var build = await StartBuildAsync();
        await build.AppendAsync("header\n");
        var readers = Enumerable.Range(0, 200)
            .Select(i => FingerClient.FetchAsync(i % 2 == 0 ? _silo.FingerPort : _executorPort, build.Id + "\n", Timeout))
            .ToList();
        for (var i = 0; i < 100; i++)
        {
            await build.AppendAsync($"line {i} {new string('y', 200)}\n");
        }

        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        foreach (var reader in readers)
        {
            Assert.Equal(expected, await reader);
        }
    }

    [Fact]
    public async Task TheGatewayRelaysThePlaintextStreamTheConfiguredWay()
    {
        var build = await StartBuildAsync();
        await build.AppendAsync("relayed\n");
        await build.FinishAsync();
        Assert.Equal("relayed\n", await FingerClient.FetchTextAsync(_silo.FingerPort, build.Id + "\n", Timeout));
        Assert.True(_cluster.Logs.Contains($"Build {build.Id} for ", $"relay {ExpectedGatewayRelay})"), $"the gateway logged another relay than {ExpectedGatewayRelay}");
    }

    [Fact]
    public async Task BytesTheClientSendsAfterTheRequestDoNotStallTheGatewayStream()
    {
        var build = await StartBuildAsync();
        await build.AppendAsync(new string('z', 200_000) + "\n");
        using var client = new TcpClient();
        await client.ConnectAsync("127.0.0.1", _silo.FingerPort);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(build.Id + "\n"));
        var reading = ReadToEndAsync(stream);

        // 32 MiB is far more than the socket buffers hold: the sends only complete if the gateway keeps reading them.
        var junk = new byte[1024 * 1024];
        Array.Fill(junk, (byte)'j');
        for (var i = 0; i < 32; i++)
        {
            await stream.WriteAsync(junk).AsTask().WaitAsync(Timeout);
        }

        await build.AppendAsync("still streaming\n");
        await build.FinishAsync();
        Assert.Equal(await File.ReadAllBytesAsync(build.LogPath), await reading.WaitAsync(Timeout));
    }

    [Fact]
    public async Task LogOverHttpIsTheLogsBytesAsTheyAreFromAnyOffset()
    {
        var build = await StartBuildAsync();
        byte[] log = [.. "ok: ünïcödé 😀\n"u8, 0xFF, 0xFE, .. "\u001b[32mnot UTF-8 above\u001b[0m\n"u8];
        await AppendBytesAsync(build, log);
        await build.FinishAsync();
        await Eventually.UntilAsync(async () => !await IsRunningAsync(build.Id), "the build to finish", Timeout);
        using var http = new HttpClient { BaseAddress = _web };
        using var response = await http.GetAsync($"/api/tenant/default/build/{build.Id}/log");
        Assert.Equal(System.Net.HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(log, await response.Content.ReadAsByteArrayAsync());
        Assert.Equal(log[7..], await http.GetByteArrayAsync($"/api/tenant/default/build/{build.Id}/log?offset=7"));
        Assert.Empty(await http.GetByteArrayAsync($"/api/tenant/default/build/{build.Id}/log?offset={log.Length + 10}"));

        // Metered as hop http: every byte sent, each response a stream of its own that completed.
        var metrics = string.Empty;
        await Eventually.UntilAsync(async () =>
        {
            metrics = await http.GetStringAsync("/metrics");
            return Sample(metrics, "zuul_streams_active", "zuul_hop=\"http\"") == 0 && Sample(metrics, "zuul_streams_ended_total", "zuul_hop=\"http\"") == 3;
        }, "the three log responses to be counted as ended", Timeout);
        Assert.Equal(log.Length + (log.Length - 7), Sample(metrics, "zuul_relay_io_bytes_total", "zuul_hop=\"http\""));
        Assert.Equal(3, Sample(metrics, "zuul_streams_ended_total", "zuul_hop=\"http\"", "zuul_stream_outcome=\"completed\""));
    }

    /// <summary>The sum of the samples of <paramref name="metric"/> whose labels contain every one of <paramref name="labels"/>.</summary>
    private static double Sample(string exposition, string metric, params string[] labels) =>
        exposition.Split('\n')
            .Where(line => line.StartsWith(metric + "{", StringComparison.Ordinal) && labels.All(l => line.Contains(l, StringComparison.Ordinal)))
            .Sum(line => double.Parse(line[(line.LastIndexOf('}') + 1)..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task LogOverHttpOfARunningBuildEndsOnceCaughtUpAndNeverInsideACharacter()
    {
        var build = await StartBuildAsync();
        var euro = "€"u8.ToArray(); // 3 bytes
        await AppendBytesAsync(build, [.. "first line\ncaught up at "u8, euro[0], euro[1]]);
        using var http = new HttpClient { BaseAddress = _web, Timeout = Timeout };

        // The build runs on; the response ends anyway once nothing more comes, before the cut character.
        var first = await http.GetByteArrayAsync($"/api/tenant/default/build/{build.Id}/log");
        Assert.Equal("first line\ncaught up at "u8.ToArray(), first);

        await AppendBytesAsync(build, [euro[2], .. " and more\n"u8]);
        await build.FinishAsync();
        var rest = await http.GetByteArrayAsync($"/api/tenant/default/build/{build.Id}/log?offset={first.Length}");
        Assert.Equal("€ and more\n"u8.ToArray(), rest);
    }

    private static async Task AppendBytesAsync(TestBuild build, byte[] bytes)
    {
        await using var f = new FileStream(build.LogPath, FileMode.Append, FileAccess.Write, FileShare.ReadWrite);
        await f.WriteAsync(bytes);
    }

    private async Task<bool> IsRunningAsync(string id) =>
        await _cluster.Grains.GetGrain<IBuildGrain>(id).GetAsync() is { State: BuildState.Running };

    [Fact]
    public async Task ApiListsTheBuildAndItsFinish()
    {
        var build = await StartBuildAsync();
        using var http = new HttpClient { BaseAddress = _web };
        var one = await http.GetStringAsync($"/api/tenant/default/build/{build.Id}");
        Assert.Contains("\"state\":\"running\"", one, StringComparison.Ordinal);
        Assert.Contains(build.Id, await http.GetStringAsync("/api/tenant/default/builds"), StringComparison.Ordinal);
        await build.FinishAsync();
        await Eventually.UntilAsync(
            async () => (await http.GetStringAsync($"/api/tenant/default/build/{build.Id}")).Contains("\"state\":\"finished\"", StringComparison.Ordinal), "the API to show the build finished", Timeout);
    }

    private Task<TestBuild> StartBuildAsync() => _cluster.StartBuildAsync(_jobRoot);

    private static async Task<byte[]> ReadToEndAsync(Stream stream)
    {
        using var memory = new MemoryStream();
        await stream.CopyToAsync(memory);
        return memory.ToArray();
    }
}

/// <summary>The single-zone slice on the embedded default (no ZooKeeper).</summary>
public sealed class SingleZoneStreamingTests : SingleZoneStreamingTestsBase
{
    protected override Task<ClusterHarness> NewClusterAsync() => Task.FromResult(new ClusterHarness());
}

/// <summary>
/// The single-zone slice with <c>FingerGateway:UseSplice=false</c> and no shared upstreams (splicing is the unshared
/// relay's): the gateway copies through the connection's pipe.
/// </summary>
public sealed class SingleZoneStreamingWithoutSpliceTests : SingleZoneStreamingTestsBase
{
    protected override string[] SiloSettings => ["--FingerGateway:UseSplice", "false", "--SharedStreams:Enabled", "false"];

    protected override RelayPath ExpectedGatewayRelay => RelayPath.PipeCopy;

    protected override Task<ClusterHarness> NewClusterAsync() => Task.FromResult(new ClusterHarness());
}

/// <summary>The same without shared upstreams: every client has its own (the gateway splices, the web frontend copies).</summary>
public sealed class SingleZoneStreamingWithoutSharingTests : SingleZoneStreamingTestsBase
{
    private static readonly string[] Unshared = ["--SharedStreams:Enabled", "false"];

    protected override Task<ClusterHarness> NewClusterAsync() => Task.FromResult(new ClusterHarness());

    protected override string[] SiloSettings => Unshared;

    protected override string[] WebSettings => Unshared;

    protected override RelayPath ExpectedGatewayRelay => RelayPath.Splice;
}
