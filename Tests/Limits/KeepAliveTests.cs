using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using System.Text.RegularExpressions;
using Xunit.Abstractions;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Executor;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Limits;

/// <summary>
/// TCP keepalive on relay sockets (<c>TcpKeepAlive:*</c>): set as configured on the connector's sockets and on the
/// sockets every listener accepts (read back from the kernel with <c>ss</c>), and, in a network namespace whose packets
/// are then dropped, a relay whose upstream went silent ends within the configured time instead of never.
/// </summary>
public sealed partial class KeepAliveTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ConnectorSocketsProbeAsConfigured()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var accepting = listener.AcceptSocketAsync();
        var connector = new FingerConnector(new FingerConnectorOptions
        {
            KeepAlive = new TcpKeepAliveOptions { Time = TimeSpan.FromSeconds(7), Interval = TimeSpan.FromSeconds(3), Count = 4 },
        });
        await using var stream = (NetworkStream)await connector.ConnectAsync("127.0.0.1", ((IPEndPoint)listener.LocalEndpoint).Port, false, "0123456789abcdef0123456789abcdef", CancellationToken.None);
        using var accepted = await accepting;
        var socket = stream.Socket;
        Assert.Equal(1, (int)socket.GetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive)!);
        Assert.Equal(7, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime)!);
        Assert.Equal(3, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval)!);
        Assert.Equal(4, (int)socket.GetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount)!);
    }

    [Fact]
    public async Task AcceptedSocketsOfEveryListenerProbeAsConfigured()
    {
        // 7 s is neither Linux's default (2 h) nor ours (30 s): a timer at or under it is our setting.
        string[] keepAlive = ["--TcpKeepAlive:Time", "00:00:07"];
        await using var cluster = new ClusterHarness();
        var silo = await cluster.StartSiloAsync(null, "127.0.0.1", [.. keepAlive, "--FingerGateway:RequestTimeout", "00:01:00"]);
        var web = await cluster.StartWebFrontendAsync(null, keepAlive);
        await using var executor = await ExecutorHost.StartAsync(new Dictionary<string, string>
        {
            ["TcpKeepAlive:Time"] = "00:00:07",
            ["Executor:RequestTimeout"] = "00:01:00",
        });

        using var toGateway = await SilentFlood.OpenAsync(silo.FingerPort, 1);
        using var toExecutor = await SilentFlood.OpenAsync(executor.Port, 1);
        using var toWeb = new ClientWebSocket();
        await toWeb.ConnectAsync(new UriBuilder(web) { Scheme = "ws", Path = "/api/tenant/demo/console-stream" }.Uri, CancellationToken.None);

        foreach (var (what, port) in new[] { ("finger gateway", silo.FingerPort), ("log streamer", executor.Port), ("web frontend", web.Port) })
        {
            var seconds = 0.0;
            await Eventually.UntilAsync(async () => (seconds = await KeepAliveTimerAsync(port)) > 0, $"the {what}'s accepted socket to show a keepalive timer", Timeout);
            Assert.True(seconds <= 7, $"the {what}'s keepalive timer is {seconds} s, not at most the configured 7 s");
        }
    }

    [Fact]
    public async Task ARelayWhoseUpstreamGoesSilentEndsWithinTheKeepaliveTime()
    {
        NetworkLab.EnsureSupported();
        await using var lab = new NetworkLab();
        var bridge = await lab.AddNamespaceAsync("br");
        await lab.AddBridgeAsync(bridge);
        var executorNs = await lab.AddNamespaceAsync("ex");
        var gatewaySide = lab.Address(1, 1);
        var executorAddress = lab.Address(1, 2);
        await lab.PlugIntoBridgeAsync(null, "k", gatewaySide + "/24", bridge, "p1");
        await lab.PlugIntoBridgeAsync(executorNs, "eth0", executorAddress + "/24", bridge, "p2");

        var jobRoot = ExecutorHost.NewJobRoot();
        await using var executor = ComponentProcess.Start("keepalive-executor", executorNs, "Orleans.Zuul.Executor.dll",
        [
            "--Executor:RegisterBuilds", "false", "--Executor:JobRoot", jobRoot, "--Executor:ListenAddress", executorAddress,
            "--Executor:LogStreamPort", "7900", "--Executor:JobRootScanInterval", "00:00:00.200",
        ]);
        await executor.WaitForLogAsync(Timeout, "Log streamer listening");

        // Detection within 1 s idle + 2 x 1 s probes; the default (30 s + 6 x 5 s) would outlast the test's wait.
        var keepAlive = new TcpKeepAliveOptions { Time = TimeSpan.FromSeconds(1), Interval = TimeSpan.FromSeconds(1), Count = 2 };
        await using var cluster = new ClusterHarness();
        // No resume window: the upstream's failure is passed on at once (resuming is Tests/Faults' subject).
        var silo = await cluster.StartSiloAsync(null, "127.0.0.1",
            "--TcpKeepAlive:Time", "00:00:01", "--TcpKeepAlive:Interval", "00:00:01", "--TcpKeepAlive:Count", "2",
            "--FingerGateway:ResumeWindow", "00:00:00");
        var build = new TestBuild(jobRoot, initialLog: "before the cut\n");
        await cluster.Grains.GetGrain<IBuildGrain>(build.Id).StartAsync(new BuildStart(null, executorAddress, 7900, "job", DateTimeOffset.UtcNow));

        var observed = new Faults.StreamObservation { Client = "finger" };
        var stream = Faults.StreamObservers.FingerAsync("127.0.0.1", silo.FingerPort, build.Id, TimeSpan.FromMinutes(3), observed);
        await Eventually.UntilAsync(() => observed.Received > 0, "the first bytes through the gateway", Timeout);

        // The executor's host goes silent: no reset, no FIN, nothing.
        await NetworkLab.ExecAsync(executorNs, "iptables", "-A", "INPUT", "-j", "DROP");
        await NetworkLab.ExecAsync(executorNs, "iptables", "-A", "OUTPUT", "-j", "DROP");
        var cut = Stopwatch.StartNew();
        await Eventually.WithinAsync(stream, "the gateway to notice its silent upstream and end the stream", Timeout);
        var noticed = cut.Elapsed;

        // A failure, passed on as a reset (never an EOF that reads as the log's end), naming the hop.
        Assert.StartsWith("reset", observed.End, StringComparison.Ordinal);
        Assert.Equal("before the cut\n", Encoding.UTF8.GetString(observed.Bytes));
        await cluster.Logs.WaitForAsync("lost and not resumed", "the gateway to log the upstream's failure", Timeout, build.Id);
        var report = string.Create(CultureInfo.InvariantCulture,
            $"{DateTime.UtcNow:u} relay with a silent upstream (iptables DROP in a netns) ended {noticed.TotalSeconds:0.00} s after the cut; keepalive {keepAlive.Time.TotalSeconds} s + {keepAlive.Count} x {keepAlive.Interval.TotalSeconds} s = {keepAlive.DetectionTime.TotalSeconds} s");
        output.WriteLine(report);
        Measurements.Record("keepalive", report);
    }

    /// <summary>Seconds left on the keepalive timer of an established connection whose local port is <paramref name="port"/>; 0 when none.</summary>
    private static async Task<double> KeepAliveTimerAsync(int port)
    {
        var listing = await NetworkLab.RunAsync("ss", "-tnoH", "state", "established", $"( sport = :{port.ToString(CultureInfo.InvariantCulture)} )");
        var match = KeepAliveTimer().Match(listing);
        return match.Success ? Seconds(match.Groups[1].Value) : 0;
    }

    /// <summary>ss prints the time left as e.g. <c>6.9sec</c>, <c>1min2sec</c> or <c>450ms</c>.</summary>
    private static double Seconds(string text)
    {
        double total = 0;
        foreach (Match part in Regex.Matches(text, @"([\d.]+)(min|sec|ms)"))
        {
            var value = double.Parse(part.Groups[1].Value, CultureInfo.InvariantCulture);
            total += part.Groups[2].Value switch { "min" => value * 60, "ms" => value / 1000, _ => value };
        }

        return total == 0 ? 0.001 : total;
    }

    [GeneratedRegex(@"timer:\(keepalive,([^,]+),")]
    private static partial Regex KeepAliveTimer();
}
