using System.Globalization;
using System.Text;
using Xunit.Abstractions;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Zones;

namespace Zuul.LiveLog.Tests.Faults;

/// <summary>
/// Issue 14's fault suite in the NAT lab (the spec's topology in network namespaces): a build streams to a finger
/// client and a websocket client while one hop is killed, stopped, or cut off; each client must get the log byte-exact
/// and end normally only at the build's end, or see a failure (a reset, a 4011 close), never a false end. Every case
/// prints one row of the closing note's table (fault, what each client saw, bytes lost, time to recover).
/// </summary>
[Collection(NatLabCollection.Name)]
public sealed class StreamFaultTests(NatLabFixture fixture, ITestOutputHelper output) : IClassFixture<NatLabFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(3);
    private NatLab Lab => fixture.Lab;

    [Fact]
    public async Task ZoneBSiloKilledMidStreamBothClientsGetTheWholeLog()
    {
        await using var run = await FaultRun.StartAsync(Lab, Lab.B, output, directFinger: true);
        var fault = run.FaultMade();
        await Lab.B.Silo.KillAsync();
        // The finger client connected to zone B's gateway itself loses its server: it may see a bare EOF (the kernel
        // closes a killed process's sockets), which is why users go through their own zone's gateway.
        await Eventually.UntilAsync(() => run.Direct!.End != "(running)", "the direct finger client's stream to end with its gateway", Timeout);
        await RestartSiloBAsync();
        await run.FinishAndCheckAsync("zone B silo SIGKILL", fault);
    }

    [Fact]
    public async Task ZoneBSiloStoppedMidStreamStopsWithinTheGracePeriodAndClientsResume()
    {
        await using var run = await FaultRun.StartAsync(Lab, Lab.B, output, directFinger: true);
        var fault = run.FaultMade();
        var (took, exitCode) = await Lab.B.Silo.TerminateAsync(TimeSpan.FromSeconds(60));
        output.WriteLine($"zone B silo SIGTERM with 3 streams open: stopped in {took.TotalSeconds:0.0} s, exit code {exitCode}");
        Assert.True(took < TimeSpan.FromSeconds(25), $"the silo took {took.TotalSeconds:0.0} s to stop with streams open\n{Lab.B.Silo.Tail(40)}");
        Assert.Equal(0, exitCode);
        Assert.True(Lab.B.Silo.Logged("drain time ran out") || Lab.B.Silo.Logged("streams in flight may go on"), Lab.B.Silo.Tail(40));
        // A finger client on the stopping gateway itself is told by a reset, not by an end.
        await Eventually.UntilAsync(() => run.Direct!.End != "(running)", "the direct finger client's stream to end", Timeout);
        Assert.StartsWith("reset", run.Direct!.End, StringComparison.Ordinal);
        await RestartSiloBAsync();
        await run.FinishAndCheckAsync("zone B silo SIGTERM", fault, $"silo stop {took.TotalSeconds:0.0} s");
    }

    [Fact]
    public async Task ExecutorKilledMidStreamIsNeverANormalEndAndResumesWhenItIsBack()
    {
        await using var run = await FaultRun.StartAsync(Lab, Lab.B, output, directFinger: false);
        var fault = run.FaultMade();
        await Lab.B.Executor.KillAsync();
        // While the executor is gone the build still runs: no client may see an end.
        await Lab.B.Silo.WaitForLogAsync(Timeout, "Build " + run.Build.Id, "ended the stream after");
        Assert.Equal("(running)", run.Web.End);
        Assert.Equal("(running)", run.Finger.End);
        Lab.B.Executor.Restart();
        await run.FinishAndCheckAsync("executor SIGKILL, restarted", fault);
    }

    [Fact]
    public async Task ExecutorStoppedWithSigstopStallsThenContinues()
    {
        await using var run = await FaultRun.StartAsync(Lab, Lab.B, output, directFinger: false);
        var fault = run.FaultMade();
        await Lab.B.Executor.SignalAsync("STOP");
        try
        {
            // The log goes on growing while nobody can serve it.
            var lines = run.LinesWritten;
            await Eventually.UntilAsync(() => run.LinesWritten >= lines + 20, "the build to write while its executor is stopped", Timeout);
            Assert.Equal("(running)", run.Web.End);
        }
        finally
        {
            await Lab.B.Executor.SignalAsync("CONT");
        }

        await run.FinishAndCheckAsync("executor SIGSTOP, then SIGCONT", fault);
    }

    [Fact]
    public async Task PacketsToTheExecutorDroppedMidStreamStallThenContinue()
    {
        await using var run = await FaultRun.StartAsync(Lab, Lab.B, output, directFinger: false);
        var comment = "i14-drop-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        string[][] rules = [["INPUT", "-p", "tcp", "--dport", "7900"], ["INPUT", "-p", "tcp", "--sport", "7900"]];
        var fault = run.FaultMade();
        foreach (var rule in rules)
        {
            await NetworkLab.ExecAsync(Lab.B.Ns!, ["iptables", "-I", .. rule, "-j", "DROP", "-m", "comment", "--comment", comment]);
        }

        try
        {
            var lines = run.LinesWritten;
            await Eventually.UntilAsync(async () => run.LinesWritten >= lines + 20 && await NetworkLab.PacketsAsync(Lab.B.Ns!, "filter", "INPUT", comment) >= 5,
                "packets to and from the executor to be dropped while the build writes", Timeout);
            Assert.Equal("(running)", run.Web.End);
        }
        finally
        {
            foreach (var rule in rules)
            {
                await NetworkLab.ExecAsync(Lab.B.Ns!, ["iptables", "-D", .. rule, "-j", "DROP", "-m", "comment", "--comment", comment]);
            }
        }

        await run.FinishAndCheckAsync("packets to the executor dropped (iptables), then restored", fault);
    }

    /// <summary>Once zone B's gateway left the registry (session expiry after a kill), starts the silo again and waits until zone A sees it.</summary>
    private async Task RestartSiloBAsync()
    {
        await Eventually.UntilAsync(async () => !(await Lab.RunningGatewaysAsync()).Any(IsZoneB), "zone B's gateway to leave the registry", Timeout);
        Lab.B.Silo.Restart();
        await Eventually.UntilAsync(async () => (await Lab.RunningGatewaysAsync()).Any(IsZoneB), $"zone B's gateway to be back\n{Lab.DescribeProcesses()}", Timeout);

        static bool IsZoneB(string gateway) => gateway.StartsWith("zoneB ", StringComparison.Ordinal);
    }

    /// <summary>One build of a zone streamed to a finger client (through zone A's gateway), a websocket client and optionally a finger client on the zone's own gateway.</summary>
    private sealed class FaultRun : IAsyncDisposable
    {
        private readonly NatLab _lab;
        private readonly ITestOutputHelper _output;
        private readonly CancellationTokenSource _stopWriting = new();
        private Task _writer = Task.CompletedTask;
        private Task<StreamObservation> _finger = null!;
        private Task<StreamObservation> _web = null!;
        private Task<StreamObservation>? _direct;
        private int _lines;

        private FaultRun(NatLab lab, ITestOutputHelper output, TestBuild build)
        {
            _lab = lab;
            _output = output;
            Build = build;
        }

        public TestBuild Build { get; }

        public StreamObservation Finger { get; } = new() { Client = "finger via zone A's gateway" };

        public StreamObservation Web { get; } = new() { Client = "websocket via the web frontend" };

        public StreamObservation? Direct { get; private set; }

        public int LinesWritten => Volatile.Read(ref _lines);

        public static async Task<FaultRun> StartAsync(NatLab lab, NatLab.Zone zone, ITestOutputHelper output, bool directFinger)
        {
            var (build, _) = await lab.StartBuildAsync(zone, Timeout);
            var run = new FaultRun(lab, output, build);
            run._writer = run.WriteAsync(run._stopWriting.Token);
            run._finger = StreamObservers.FingerAsync("127.0.0.1", lab.GatewayAPort, build.Id, Timeout, run.Finger);
            run._web = StreamObservers.WebsocketAsync(lab.WebUri, build.Id, Timeout, run.Web);
            if (directFinger)
            {
                run.Direct = new StreamObservation { Client = $"finger on zone {zone.Name}'s own gateway" };
                run._direct = StreamObservers.FingerAsync(lab.Wan(zone.Subnet!.Value), NatLab.FingerPort, build.Id, Timeout, run.Direct);
            }

            // Every client has bytes before the fault.
            await Eventually.UntilAsync(() => run.Finger.Received > 2 && run.Web.Received > 2 && (run.Direct is null || run.Direct.Received > 2),
                $"every client to receive the log before the fault\n{lab.DescribeProcesses()}", Timeout);
            return run;
        }

        /// <summary>Marks the fault's moment on each client's clock.</summary>
        public (TimeSpan Finger, TimeSpan Web, int Lines) FaultMade() => (Finger.Now, Web.Now, LinesWritten);

        /// <summary>Lets the build write a little more once streams are back, finishes it and checks every client's bytes.</summary>
        public async Task FinishAndCheckAsync(string fault, (TimeSpan Finger, TimeSpan Web, int Lines) at, string note = "")
        {
            var fingerBefore = Finger.Received;
            var webBefore = Web.Received;
            await Eventually.UntilAsync(() => Finger.Received > fingerBefore && Web.Received > webBefore,
                $"both clients to receive bytes again after: {fault}\n{_lab.DescribeProcesses()}", Timeout);
            await _stopWriting.CancelAsync();
            await _writer;
            await Build.AppendAsync("last line\n");
            await Build.FinishAsync();
            var finger = await Eventually.WithinAsync(_finger, "the finger client's stream to end", Timeout);
            var web = await Eventually.WithinAsync(_web, "the websocket's stream to end", Timeout);
            var expected = await File.ReadAllBytesAsync(Build.LogPath);
            var row = $"| {fault} | {finger.End}, {finger.Bytes.Length} bytes | {web.End}, {web.Bytes.Length} bytes | "
                + $"{expected.Length - finger.Bytes.Length} / {expected.Length - web.Bytes.Length} | "
                + $"{finger.RecoveredAfter(at.Finger).TotalSeconds:0.0} s / {web.RecoveredAfter(at.Web).TotalSeconds:0.0} s | {note}";
            if (Direct is not null)
            {
                var direct = await Eventually.WithinAsync(_direct!, "the direct finger client's stream to end", Timeout);
                var prefix = expected.AsSpan(0, Math.Min(expected.Length, direct.Bytes.Length)).SequenceEqual(direct.Bytes);
                row += $" {direct.Client}: {direct.End} after {direct.Bytes.Length} bytes (a prefix of the log: {prefix})";
                Assert.True(prefix, "the direct finger client got bytes that are not the log's");
            }

            _output.WriteLine(row);
            Assert.Equal("EOF", finger.End);
            Assert.Equal(expected, finger.Bytes);
            Assert.Equal("close 1000 Stream ended.", web.End);
            Assert.Equal(Encoding.UTF8.GetString(expected), Encoding.UTF8.GetString(web.Bytes));
        }

        public async ValueTask DisposeAsync()
        {
            await _stopWriting.CancelAsync();
            await _writer;
            if (!File.Exists(Build.DoneMarker))
            {
                await Build.FinishAsync();
            }

            _stopWriting.Dispose();
        }

        private async Task WriteAsync(CancellationToken cancellationToken)
        {
            // One numbered line every 50 ms: any lost or repeated byte shows in the comparison.
            for (var i = 0; i < 20_000 && !cancellationToken.IsCancellationRequested; i++)
            {
                await Build.AppendAsync($"line {i:D5} {new string('x', i % 97)}\n");
                Interlocked.Increment(ref _lines);
                try
                {
                    await Task.Delay(50, cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }
}

/// <summary>One NAT lab for the whole fault suite: each case leaves every process running again.</summary>
public sealed class NatLabFixture : IAsyncLifetime
{
    public NatLab Lab { get; } = new();

    public Task InitializeAsync() => Lab.InitializeAsync();

    public Task DisposeAsync() => Lab.DisposeAsync();
}
