using System.Net.Sockets;
using System.Text;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Faults;

/// <summary>
/// An upstream that goes away for good while the build runs is a failure, never the log's end: the websocket closes
/// with 4011 after the resume window (not 1000), a finger client through the gateway sees a reset (not an EOF), and
/// both log lines name the hop that failed.
/// </summary>
public sealed class TruthfulEndTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ClusterHarness _cluster = new();
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "truthful-end-" + Guid.NewGuid().ToString("N"));

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task AnExecutorGoneForGoodEndsStreamsWithAFailureAfterTheResumeWindow()
    {
        var silo = await _cluster.StartSiloAsync(extra: ["--FingerGateway:ResumeWindow", "00:00:02"]);
        var executor = await _cluster.StartExecutorAppAsync(_jobRoot, null, "127.0.0.1");
        var web = await _cluster.StartWebFrontendAsync(extra: ["--FingerClient:ResumeWindow", "00:00:02"]);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync("before the executor stopped\n");

        var (finger, websocket, ended) = await ObserveBothAsync(silo.FingerPort, web, build.Id);

        await executor.App.StopAsync();
        Assert.Equal(BuildState.Running, (await _cluster.Grains.GetGrain<IBuildGrain>(build.Id).GetAsync())!.State);

        await Eventually.WithinAsync(ended, "both streams to fail after the resume window", Timeout);
        AssertBothFailedWith("before the executor stopped\n"u8.ToArray(), finger, websocket);
        Assert.Contains(_cluster.Logs.Lines, l => l.Contains($"Build {build.Id} for ", StringComparison.Ordinal) && l.Contains("upstream executor 127.0.0.1:", StringComparison.Ordinal) && l.Contains("connection reset", StringComparison.Ordinal));
        Assert.Contains(_cluster.Logs.Lines, l => l.Contains(build.Id, StringComparison.Ordinal) && l.Contains("closed with 4011", StringComparison.Ordinal));
        await build.FinishAsync();
    }

    [Fact]
    public async Task AHopThatAnswersWithAnErrorLineIsNotResumedOntoAndItsLineIsNoLogByte()
    {
        // The executor comes back without the log (a new machine, a wiped job root): on its port, the log streamer
        // answers Zuul's "Log not found" line. Finger has no framing, so a resume that skips the bytes already delivered
        // would pass that line's tail on as log bytes; the stream must fail instead, with exactly the log's bytes.
        var silo = await _cluster.StartSiloAsync(extra: ["--FingerGateway:ResumeWindow", "00:00:03"]);
        var executor = await _cluster.StartExecutorAppAsync(_jobRoot, null, "127.0.0.1");
        var web = await _cluster.StartWebFrontendAsync(extra: ["--FingerClient:ResumeWindow", "00:00:03"]);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var log = "the log's first line\n"u8.ToArray(); // shorter than the error line, so a skip would leave its tail
        await build.AppendAsync(Encoding.ASCII.GetString(log));

        var (finger, websocket, ended) = await ObserveBothAsync(silo.FingerPort, web, build.Id);

        await executor.App.StopAsync();
        await using var impostor = new CannedLogStreamer(executor.Port, Encoding.ASCII.GetBytes(FingerErrors.LogNotFound(build.Id)));
        await Eventually.WithinAsync(ended, "both streams to fail after the resume window", Timeout);
        Assert.True(impostor.Served >= 2, $"the impostor answered {impostor.Served} resume attempts");
        AssertBothFailedWith(log, finger, websocket);
        Assert.Contains(_cluster.Logs.Lines, l => l.Contains(build.Id, StringComparison.Ordinal) && l.Contains("answered with an error line instead of the log", StringComparison.Ordinal));
        await build.FinishAsync();
    }

    [Fact]
    public async Task AnUnsharedHttpLogWhoseUpstreamEndsBeforeTheClusterKnowsTheFinishEndsCleanlyOnceTheEndIsConfirmed()
    {
        // The executor closes at the finish marker; its report to the cluster may come later. Here it never comes: the
        // log streamer's port serves the whole log and closes cleanly each time while the cluster says running. The
        // response must not be reset (a failure reported for a complete log): reopened, the upstream served every byte
        // again and ended at once, which confirms the end (PROTOCOL.md section 6), as the websocket does.
        var silo = await _cluster.StartSiloAsync(extra: ["--SharedStreams:Enabled", "false"]);
        var executor = await _cluster.StartExecutorAppAsync(_jobRoot, null, "127.0.0.1");
        var web = await _cluster.StartWebFrontendAsync(extra: ["--SharedStreams:Enabled", "false"]);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var log = "the whole log\nand its last line\n"u8.ToArray();
        await build.AppendAsync(Encoding.ASCII.GetString(log));
        _ = silo;

        await executor.App.StopAsync();
        await using var finished = new CannedLogStreamer(executor.Port, log);
        using var http = new HttpClient { BaseAddress = web, Timeout = Timeout };
        var bytes = await http.GetByteArrayAsync($"/api/tenant/default/build/{build.Id}/log");
        Assert.Equal(log, bytes);
        Assert.True(finished.Served >= 2, $"the log was served {finished.Served} times: the end was not confirmed by a second read");
        Assert.Equal(BuildState.Running, (await _cluster.Grains.GetGrain<IBuildGrain>(build.Id).GetAsync())!.State);
        Assert.Contains(_cluster.Logs.Lines, l => l.Contains(build.Id, StringComparison.Ordinal) && l.Contains("served all", StringComparison.Ordinal));
        await build.FinishAsync();
    }

    /// <summary>A finger client through the silo's gateway and a websocket through the web frontend, both past their first bytes.</summary>
    private static async Task<(StreamObservation Finger, StreamObservation Websocket, Task Ended)> ObserveBothAsync(int fingerPort, Uri web, string buildId)
    {
        var finger = new StreamObservation { Client = "finger" };
        var websocket = new StreamObservation { Client = "websocket" };
        var ended = Task.WhenAll(
            StreamObservers.FingerAsync("127.0.0.1", fingerPort, buildId, Timeout, finger),
            StreamObservers.WebsocketAsync(web, buildId, Timeout, websocket));
        await Eventually.UntilAsync(() => finger.Received > 0 && websocket.Received > 0, "both clients to receive the first line", Timeout);
        return (finger, websocket, ended);
    }

    /// <summary>Both ended as failures (a reset, a 4011 close), each with exactly the log's bytes before it.</summary>
    private static void AssertBothFailedWith(byte[] log, StreamObservation finger, StreamObservation websocket)
    {
        Assert.StartsWith("reset", finger.End, StringComparison.Ordinal);
        Assert.StartsWith("close 4011 ", websocket.End, StringComparison.Ordinal);
        Assert.Equal(log, finger.Bytes);
        Assert.Equal(log, websocket.Bytes);
    }
}
