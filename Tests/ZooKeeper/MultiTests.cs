using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

[Collection(ZooKeeperCollection.Name)]
public sealed class MultiTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync() => _client = await ZooKeeperFixture.ConnectAsync(await fixture.NewChrootAsync());

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task AllOperationsApplyWithPerOperationResults()
    {
        await _client.CreateAsync("/existing", "old"u8.ToArray());
        await _client.CreateAsync("/doomed");
        var results = await _client.MultiAsync(
        [
            Op.Check("/existing", 0),
            Op.Create("/created", "new"u8.ToArray()),
            Op.Create("/seq-", mode: CreateMode.PersistentSequential),
            Op.SetData("/existing", "updated"u8.ToArray(), 0),
            Op.Delete("/doomed"),
        ]);

        Assert.IsType<CheckResult>(results[0]);
        Assert.Equal("/created", Assert.IsType<CreateResult>(results[1]).Path);
        Assert.Matches("^/seq-[0-9]{10}$", Assert.IsType<CreateResult>(results[2]).Path);
        Assert.Equal(1, Assert.IsType<SetDataResult>(results[3]).Stat.Version);
        Assert.IsType<DeleteResult>(results[4]);

        Assert.Equal("updated"u8.ToArray(), (await _client.GetDataAsync("/existing")).Data);
        Assert.Equal("new"u8.ToArray(), (await _client.GetDataAsync("/created")).Data);
        Assert.Null(await _client.ExistsAsync("/doomed"));
    }

    [Fact]
    public async Task FailingCheckLeavesNothingChanged()
    {
        await _client.CreateAsync("/guard");
        await _client.CreateAsync("/data", "before"u8.ToArray());
        await _client.CreateAsync("/keep");

        var error = await Assert.ThrowsAsync<BadVersionException>(() => _client.MultiAsync(
        [
            Op.Create("/new-node"),
            Op.SetData("/data", "after"u8.ToArray()),
            Op.Delete("/keep"),
            Op.Check("/guard", 7),
            Op.Create("/after-check"),
        ]));

        Assert.Equal("/guard", error.Path);
        Assert.Equal(
            [ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.Ok, ZooKeeperErrorCode.BadVersion, ZooKeeperErrorCode.RuntimeInconsistency],
            error.MultiResults!.Select(r => Assert.IsType<ErrorResult>(r).Code));

        Assert.Null(await _client.ExistsAsync("/new-node"));
        Assert.Null(await _client.ExistsAsync("/after-check"));
        Assert.NotNull(await _client.ExistsAsync("/keep"));
        var data = await _client.GetDataAsync("/data");
        Assert.Equal("before"u8.ToArray(), data.Data);
        Assert.Equal(0, data.Stat.Version);
    }

    [Fact]
    public async Task FailingCreateReportsNodeExists()
    {
        await _client.CreateAsync("/taken");
        var error = await Assert.ThrowsAsync<NodeExistsException>(() => _client.MultiAsync([Op.Create("/fresh"), Op.Create("/taken")]));
        Assert.Equal("/taken", error.Path);
        Assert.Null(await _client.ExistsAsync("/fresh"));
    }

    [Fact]
    public async Task FailingDeleteReportsNoNode()
    {
        await Assert.ThrowsAsync<NoNodeException>(() => _client.MultiAsync([Op.Delete("/absent")]));
    }

    [Fact]
    public async Task VersionCheckedUpdateAsOneMulti()
    {
        // The membership-table pattern: bump the table version and write a row atomically.
        await _client.CreateAsync("/table");
        await _client.CreateAsync("/table/row", "v0"u8.ToArray());
        await _client.MultiAsync([Op.SetData("/table", "t1"u8.ToArray(), 0), Op.SetData("/table/row", "v1"u8.ToArray(), 0)]);
        await Assert.ThrowsAsync<BadVersionException>(() => _client.MultiAsync([Op.SetData("/table", "t2"u8.ToArray(), 0), Op.SetData("/table/row", "v2"u8.ToArray(), 1)]));
        Assert.Equal("v1"u8.ToArray(), (await _client.GetDataAsync("/table/row")).Data);
    }

    [Fact]
    public async Task EmptyMultiSucceeds()
    {
        Assert.Empty(await _client.MultiAsync([]));
    }
}
