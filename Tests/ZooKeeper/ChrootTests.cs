using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

[Collection(ZooKeeperCollection.Name)]
public sealed class ChrootTests(ZooKeeperFixture fixture)
{
    [Fact]
    public async Task ChrootsAreIsolated()
    {
        await using var a = await ZooKeeperFixture.ConnectAsync(await fixture.NewChrootAsync());
        await using var b = await ZooKeeperFixture.ConnectAsync(await fixture.NewChrootAsync());
        await a.CreateAsync("/same-name", "a"u8.ToArray());
        await b.CreateAsync("/same-name", "b"u8.ToArray());
        Assert.Equal("a"u8.ToArray(), (await a.GetDataAsync("/same-name")).Data);
        Assert.Equal("b"u8.ToArray(), (await b.GetDataAsync("/same-name")).Data);
        await a.DeleteAsync("/same-name");
        Assert.NotNull(await b.ExistsAsync("/same-name"));
        Assert.Equal(["same-name"], (await b.GetChildrenAsync("/")).Children);
    }

    [Fact]
    public async Task PathsAreMappedBothWays()
    {
        var connectionString = await fixture.NewChrootAsync();
        var chroot = connectionString[connectionString.IndexOf('/')..];
        await using var client = await ZooKeeperFixture.ConnectAsync(connectionString);
        await using var root = await ZooKeeperFixture.ConnectAsync(fixture.Server.ConnectionString);
        Assert.Equal(chroot, client.Chroot);

        Assert.Equal("/n", await client.CreateAsync("/n"));
        Assert.Equal("/n/s-0000000000", await client.CreateAsync("/n/s-", mode: CreateMode.EphemeralSequential));
        Assert.NotNull(await root.ExistsAsync(chroot + "/n/s-0000000000"));

        var multi = await client.MultiAsync([Op.Create("/m")]);
        Assert.Equal("/m", Assert.IsType<CreateResult>(multi[0]).Path);

        var recorder = new WatchRecorder();
        await client.GetDataAsync("/n", recorder.Watcher);
        await client.GetChildrenAsync("/", recorder.Watcher);
        await root.SetDataAsync(chroot + "/n", "x"u8.ToArray());
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, ZooKeeperState.Connected, "/n"), await recorder.NextAsync("data change of /n"));
        await root.CreateAsync(chroot + "/other");
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeChildrenChanged, ZooKeeperState.Connected, "/"), await recorder.NextAsync("children of the chroot"));
    }
}
