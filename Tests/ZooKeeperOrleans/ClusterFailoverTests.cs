using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>Silos clustered through ZooKeeper: losing a silo, or all of them, loses no build.</summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class ClusterFailoverTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(45);
    private ClusterHarness _cluster = null!;

    public async Task InitializeAsync() => _cluster = new ClusterHarness(await fixture.NewChrootAsync());

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task BuildsOfASiloThatWentAwayReactivateWithTheirStateAndTheSurvivorDeclaresItDead()
    {
        var a = await _cluster.StartSiloAsync();
        var b = await _cluster.StartSiloAsync();
        var siloB = b.App.Services.GetRequiredService<ILocalSiloDetails>().SiloAddress;
        var membershipA = a.App.Services.GetRequiredService<IClusterMembershipService>();
        await Eventually.UntilAsync(() => membershipA.CurrentSnapshot.GetSiloStatus(siloB) == SiloStatus.Active, "silo A to see silo B active", Timeout);

        // Builds created through B, until at least one of them is activated on B.
        var factoryB = b.App.Services.GetRequiredService<IGrainFactory>();
        var management = factoryB.GetGrain<IManagementGrain>(0);
        var builds = new List<string>();
        var onB = 0;
        for (var i = 0; i < 40 && (onB < 2 || builds.Count < 8); i++)
        {
            var id = Guid.NewGuid().ToString("N");
            var grain = factoryB.GetGrain<IBuildGrain>(id);
            await grain.StartAsync(new BuildStart(null, "executor-" + i, 7900 + i, "job", DateTimeOffset.UtcNow));
            builds.Add(id);
            if (await management.GetActivationAddress(grain) is { } where && where.Equals(siloB))
            {
                onB++;
            }
        }

        Assert.True(onB > 0, "no build grain was placed on silo B");

        await _cluster.StopSiloAsync(b.App, graceful: false);
        await Eventually.UntilAsync(() => membershipA.CurrentSnapshot.GetSiloStatus(siloB) == SiloStatus.Dead, "silo A to declare silo B dead", Timeout);

        var factoryA = a.App.Services.GetRequiredService<IGrainFactory>();
        for (var i = 0; i < builds.Count; i++)
        {
            var info = await factoryA.GetGrain<IBuildGrain>(builds[i]).GetAsync();
            Assert.NotNull(info);
            Assert.Equal(("executor-" + i, 7900 + i, BuildState.Running), (info.ExecutorHostname, info.LogPort, info.State));
            var resolution = await factoryA.GetGrain<IBuildGrain>(builds[i]).ResolveStreamAddressAsync(null);
            Assert.Equal(("executor-" + i, 7900 + i), (resolution.Host, resolution.Port));
        }
    }

    [Fact]
    public async Task BuildsSurviveAFullClusterRestart()
    {
        var first = await _cluster.StartSiloAsync();
        var id = Guid.NewGuid().ToString("N");
        var grain = _cluster.Grains.GetGrain<IBuildGrain>(id);
        await grain.StartAsync(new BuildStart("zone9", "executor", 7901, "job", DateTimeOffset.UtcNow));
        await grain.FinishAsync(new BuildFinish("SUCCESS", DateTimeOffset.UtcNow));
        await _cluster.StopSiloAsync(first.App);

        await _cluster.StartSiloAsync();
        var info = await _cluster.Grains.GetGrain<IBuildGrain>(id).GetAsync();
        Assert.NotNull(info);
        Assert.Equal(("zone9", "executor", 7901, BuildState.Finished, "SUCCESS"), (info.Zone, info.ExecutorHostname, info.LogPort, info.State, info.Result));
    }
}
