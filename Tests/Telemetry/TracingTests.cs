using System.Collections.Concurrent;
using System.Diagnostics;
using Zuul.LiveLog.Hosting.Telemetry;
using Zuul.LiveLog.Tests.Integration;
using Xunit.Abstractions;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Telemetry;

/// <summary>
/// With <c>Telemetry:Otlp:Endpoint</c> set, a websocket stream of a zone B build makes, in the web frontend's trace,
/// the request span, <c>console stream</c>, <c>resolve</c> and Orleans' spans of the grain call down to the silo that
/// runs it; the zone B gateway and the executor each start a trace of their own (the finger hop carries no trace
/// context), joined by <c>zuul.build.id</c>. The spans are taken from an in-process listener; the OTLP endpoint is a
/// closed port (export fails quietly, which is what an unreachable collector does).
/// </summary>
public sealed class TracingTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "traces-" + Guid.NewGuid().ToString("N"));
    private readonly ConcurrentQueue<Activity> _spans = new();
    private readonly ClusterHarness _cluster = new();
    private ActivityListener? _listener;

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        _listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == ZuulTracing.SourceName || source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal)
                                       || source.Name == "Microsoft.AspNetCore",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = _spans.Enqueue,
        };
        ActivitySource.AddActivityListener(_listener);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        _listener?.Dispose();
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task AWebsocketStreamIsOneTraceFromTheRequestToTheGrainAndEachFingerHopItsOwn()
    {
        string[] traces = ["--Telemetry:Otlp:Endpoint", "http://127.0.0.1:9"];
        await _cluster.StartSiloAsync("zone-a", "127.0.0.1", traces);
        await _cluster.StartSiloAsync("zone-b", "127.0.0.1", traces);
        var web = await _cluster.StartWebFrontendAsync("zone-a", traces);
        await _cluster.StartExecutorAppAsync(_jobRoot, "zone-b", "127.0.0.1", traces);
        await _cluster.WaitForGatewaysAsync("zone-b", 1);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync("traced\n");
        await build.FinishAsync();
        var (_, _, text) = await WebsocketClient.StreamAsync(web, $$"""{"uuid": "{{build.Id}}"}""", Timeout);
        Assert.Equal("traced\n", text);

        Activity? stream = null;
        await Eventually.UntilAsync(() => (stream = Spans().FirstOrDefault(s => s.OperationName == "console stream" && Build(s) == build.Id)) is not null
                                        && Spans().Any(s => s.SpanId == stream.ParentSpanId)
                                        && Spans().Count(s => s.OperationName == "finger stream" && Build(s) == build.Id) == 2, "the web frontend's request and stream spans and the two finger hops' spans to end",
            Timeout);
        var trace = Spans().Where(s => s.TraceId == stream!.TraceId).ToList();
        foreach (var span in trace.OrderBy(s => s.StartTimeUtc))
        {
            output.WriteLine($"{span.Source.Name} {span.Kind} '{span.OperationName}' {span.SpanId} parent {span.ParentSpanId}");
        }

        Assert.Contains(trace, s => s.Source.Name == "Microsoft.AspNetCore" && s.SpanId == stream!.ParentSpanId);
        var resolve = Assert.Single(trace, s => s.OperationName == "resolve" && s.ParentSpanId == stream!.SpanId);
        Assert.Equal("gateway", resolve.GetTagItem("zuul.resolution"));
        // The grain call, continued in the silo that runs the grain.
        Assert.Contains(trace, s => s.Source.Name.StartsWith("Microsoft.Orleans", StringComparison.Ordinal) && s.Kind == ActivityKind.Server);
        Assert.Contains(trace, s => s.OperationName == "connect" && s.ParentSpanId == stream!.SpanId);
        Assert.Equal("completed", stream!.GetTagItem("zuul.stream.outcome"));

        // The gateway and the executor: one trace each, other than the web frontend's.
        var hops = Spans().Where(s => s.OperationName == "finger stream" && Build(s) == build.Id).ToList();
        Assert.Equal(["direct", "gateway"], hops.Select(s => (string)s.GetTagItem("zuul.hop")!).Order());
        Assert.All(hops, h => Assert.NotEqual(stream!.TraceId, h.TraceId));
        Assert.NotEqual(hops[0].TraceId, hops[1].TraceId);
    }

    private List<Activity> Spans() => [.. _spans];

    private static string? Build(Activity span) => span.GetTagItem(ZuulTracing.BuildIdAttribute) as string;
}
