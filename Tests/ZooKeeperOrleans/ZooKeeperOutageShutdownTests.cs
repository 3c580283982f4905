using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.ZooKeeper.Orleans;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>
/// A silo told to stop while ZooKeeper is gone: its last membership writes and its gateway deregistration cannot
/// succeed, and without a bound Orleans retries them for minutes (130 s measured). It must stop within an
/// orchestrator's default grace period (Kubernetes: 30 s) and say why it did not clean up.
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class ZooKeeperOutageShutdownTests(ZooKeeperFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);
    private ClusterHarness _cluster = null!;

    public async Task InitializeAsync() => _cluster = new ClusterHarness(await fixture.NewChrootAsync());

    public async Task DisposeAsync()
    {
        await fixture.Server.StartAsync(CancellationToken.None); // whatever happened, leave the server running
        await _cluster.DisposeAsync();
    }

    [Fact]
    public async Task SiloStopsWithinTheGracePeriodWhenZooKeeperIsGone()
    {
        var silo = await _cluster.StartSiloAsync("zone1");
        await Eventually.UntilAsync(() => _cluster.Logs.Contains("Registered /components/fingergw/"), "the gateway registration", TimeSpan.FromSeconds(30));
        var connection = silo.App.Services.GetRequiredService<ZooKeeperConnection>();

        await fixture.Server.StopAsync();
        await Eventually.UntilAsync(() => !connection.IsConnected, "the silo to notice that ZooKeeper is gone", TimeSpan.FromSeconds(30));
        var stopping = Stopwatch.StartNew();
        await Eventually.WithinAsync(_cluster.StopSiloAsync(silo.App), "the silo to stop", TimeSpan.FromMinutes(3));
        var stoppedAfter = stopping.Elapsed;

        output.WriteLine($"stopped {stoppedAfter.TotalSeconds:0.0} s after being told to, with ZooKeeper gone");
        Assert.True(stoppedAfter < GracePeriod, $"the silo took {stoppedAfter} to stop with ZooKeeper gone (bound: {GracePeriod})");
        Assert.True(
            _cluster.Logs.Contains("ZooKeeper is unreachable at shutdown", "instead of 00:05:00"),
            "the silo logs that it bounded its membership updates:\n" + string.Join('\n', _cluster.Logs.Lines.TakeLast(20)));
        Assert.True(
            _cluster.Logs.Contains("Finger gateway draining:", "not removed within", "it goes when the session expires"),
            "the silo logs that its registration was left to the session:\n" + string.Join('\n', _cluster.Logs.Lines.TakeLast(20)));
        Assert.False(_cluster.Logs.Contains("Finger gateway draining: removed"), "a removal that did not happen was logged");
    }
}
