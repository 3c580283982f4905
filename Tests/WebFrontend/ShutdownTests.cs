using System.Diagnostics;
using System.Net.WebSockets;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>A web frontend that stops while a log streams tells the page to reconnect (1001), and stops promptly.</summary>
public sealed class ShutdownTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = WebConsoleCluster.Timeout;
    private readonly ClusterHarness _cluster = new();
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "web-stop-" + Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        await _cluster.StartSiloAsync();
        await _cluster.StartExecutorAsync(_jobRoot);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task StoppingTheFrontendClosesARunningStreamWithGoingAway()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot, "stop");
        await build.AppendAsync("first line\n");

        var web = WebFrontendApp.Build([.. _cluster.ClientArgs(), "--urls", "http://127.0.0.1:0"], ClusterHarness.QuietLogging);
        await web.StartAsync();
        var firstChunk = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var stream = WebsocketClient.StreamAsync(new Uri(web.Urls.First()), $"{{\"uuid\": \"{build.Id}\"}}", Timeout, _ => firstChunk.TrySetResult());
        await firstChunk.Task.WaitAsync(Timeout);

        var stopwatch = Stopwatch.StartNew();
        await web.StopAsync(new CancellationTokenSource(Timeout).Token);
        await web.DisposeAsync();
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(10), $"stopping took {stopwatch.Elapsed.TotalSeconds:0.0} s with a log streaming");

        var (status, reason, text) = await stream;
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, status);
        Assert.Contains("reconnect", reason, StringComparison.Ordinal);
        Assert.Equal("first line\n", text);
        await build.FinishAsync();
    }
}
