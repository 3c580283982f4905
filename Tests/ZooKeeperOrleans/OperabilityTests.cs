using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Silo;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>Start-up wait, settings validation and the retention of finished builds.</summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class OperabilityTests(ZooKeeperFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task StartupWaitsForZooKeeperSayingWhatItWaitsForAndCreatesTheChroot()
    {
        await using var proxy = new TcpProxy(fixture.Server.Port);
        proxy.Block();
        var chroot = "/fresh-" + Guid.NewGuid().ToString("N") + "/orleans-zuul";
        var logs = new LogCollector();
        await using var providers = new Providers(proxy.ConnectionString + chroot, "c", logs: logs, connectTimeout: TimeSpan.FromMilliseconds(500));
        var waiting = providers.Connection.WaitUntilConnectedAsync();
        await Eventually.UntilAsync(() => logs.Contains($"Waiting for ZooKeeper at {proxy.ConnectionString}{chroot} (attempt 2, next in"), "the second waiting log line", Timeout);
        Assert.False(waiting.IsCompleted);

        proxy.Unblock();
        await waiting.WaitAsync(Timeout);
        Assert.True(providers.Connection.IsConnected);
        await using var root = await ZooKeeperFixture.ConnectAsync(fixture.Server.ConnectionString);
        Assert.NotNull(await root.ExistsAsync(chroot));
    }

    [Theory]
    [InlineData("zk1:2181,zk2:2181", "/orleans-zuul", "zk1:2181,zk2:2181/orleans-zuul")]
    [InlineData("zk1:2181/mine", "/orleans-zuul", "zk1:2181/mine")]
    [InlineData("zk1:2181", "", "zk1:2181")]
    [InlineData("zk1:2181", "/a/b", "zk1:2181/a/b")]
    public void TheRootIsTheDefaultChroot(string connectionString, string root, string effective) =>
        Assert.Equal(effective, new ZooKeeperOptions { ConnectionString = connectionString, Root = root }.EffectiveConnectionString);

    [Fact]
    public void EveryBadZooKeeperSettingIsReportedAtOnce()
    {
        var error = Assert.Throws<OptionsStartupException>(() => SiloApp.Build(
        [
            "--ZooKeeper:ConnectionString", "127.0.0.1:2181",
            "--ZooKeeper:SessionTimeout", "00:00:00.100",
            "--ZooKeeper:ConnectTimeout", "-00:00:01",
            "--ZooKeeper:Root", "relative",
            "--ZooKeeper:Clustering:UnreachableShutdownTimeout", "00:00:00",
            "--Builds:Retention", "00:00:00",
            "--Health:Port", "70000",
            "--Orleans:AdvertisedAddress", "not-an-ip",
        ], ClusterHarness.QuietLogging));
        var all = string.Join("\n", error.Errors);
        foreach (var key in new[] { "ZooKeeper:SessionTimeout", "ZooKeeper:ConnectTimeout", "ZooKeeper:Root", "ZooKeeper:Clustering:UnreachableShutdownTimeout", "Builds:Retention", "Health:Port", "Orleans:AdvertisedAddress" })
        {
            Assert.Contains(key, all, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task SweeperRemovesFinishedBuildsOlderThanTheRetentionOnly()
    {
        await using var providers = new Providers(await fixture.NewChrootAsync(), "c");
        var now = DateTimeOffset.UtcNow;
        async Task<GrainId> WriteAsync(BuildState state, DateTimeOffset? finished)
        {
            var id = GrainId.Create(BuildRetentionSweeper.GrainType, Guid.NewGuid().ToString("N"));
            var record = new GrainState<BuildRecord>(new BuildRecord { State = state, ExecutorHostname = "e", FinishedAt = finished, StartedAt = now.AddDays(-30) });
            await providers.Storage.WriteStateAsync("build", id, record);
            return id;
        }

        var old = await WriteAsync(BuildState.Finished, now.AddDays(-8));
        var recent = await WriteAsync(BuildState.Finished, now.AddDays(-6));
        var running = await WriteAsync(BuildState.Running, null);
        var sweeper = new BuildRetentionSweeper(
            providers.Connection, TimeProvider.System, Options.Create(new BuildRetentionOptions { Retention = TimeSpan.FromDays(7) }), NullLogger<BuildRetentionSweeper>.Instance);
        Assert.Equal(1, await sweeper.SweepAsync());

        var client = await providers.Connection.GetClientAsync();
        Assert.Null(await client.ExistsAsync(ZooKeeperGrainStorage.PathOf(old)));
        Assert.NotNull(await client.ExistsAsync(ZooKeeperGrainStorage.PathOf(recent)));
        Assert.NotNull(await client.ExistsAsync(ZooKeeperGrainStorage.PathOf(running)));
    }
}
