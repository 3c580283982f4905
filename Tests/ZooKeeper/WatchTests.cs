using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

[Collection(ZooKeeperCollection.Name)]
public sealed class WatchTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private ZooKeeperClient _client = null!;
    private ZooKeeperClient _other = null!;

    public async Task InitializeAsync()
    {
        var chroot = await fixture.NewChrootAsync();
        _client = await ZooKeeperFixture.ConnectAsync(chroot);
        _other = await ZooKeeperFixture.ConnectAsync(chroot);
    }

    public async Task DisposeAsync()
    {
        await _client.DisposeAsync();
        await _other.DisposeAsync();
    }

    [Fact]
    public async Task DataWatchFiresExactlyOncePerArming()
    {
        await _client.CreateAsync("/node");
        var recorder = new WatchRecorder();
        await _client.GetDataAsync("/node", recorder.Watcher);

        await _other.SetDataAsync("/node", "1"u8.ToArray());
        await _other.SetDataAsync("/node", "2"u8.ToArray());

        Assert.Equal(new WatchedEvent(WatchedEventType.NodeDataChanged, ZooKeeperState.Connected, "/node"), await recorder.NextAsync("data change"));
        Assert.Empty(await recorder.FlushAsync(_client));

        // Re-arming gives exactly one more.
        await _client.GetDataAsync("/node", recorder.Watcher);
        await _other.SetDataAsync("/node", "3"u8.ToArray());
        Assert.Equal(WatchedEventType.NodeDataChanged, (await recorder.NextAsync("second data change")).Type);
        Assert.Empty(await recorder.FlushAsync(_client));
        Assert.Equal(2, recorder.All.Count);
    }

    [Fact]
    public async Task ExistsWatchOnMissingNodeFiresOnCreation()
    {
        var recorder = new WatchRecorder();
        Assert.Null(await _client.ExistsAsync("/later", recorder.Watcher));
        await _other.CreateAsync("/later");
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeCreated, ZooKeeperState.Connected, "/later"), await recorder.NextAsync("creation"));
        await _other.DeleteAsync("/later");
        Assert.Empty(await recorder.FlushAsync(_client));
    }

    [Fact]
    public async Task ExistsWatchOnExistingNodeFiresOnChangeAndDeletion()
    {
        await _client.CreateAsync("/here");
        var recorder = new WatchRecorder();
        Assert.NotNull(await _client.ExistsAsync("/here", recorder.Watcher));
        await _other.DeleteAsync("/here");
        Assert.Equal(WatchedEventType.NodeDeleted, (await recorder.NextAsync("deletion")).Type);
    }

    [Fact]
    public async Task ChildWatchFiresOnChildChangesOnly()
    {
        await _client.CreateAsync("/parent");
        var recorder = new WatchRecorder();
        await _client.GetChildrenAsync("/parent", recorder.Watcher);

        await _other.SetDataAsync("/parent", "data does not count"u8.ToArray());
        await _other.CreateAsync("/parent/child");
        Assert.Equal(new WatchedEvent(WatchedEventType.NodeChildrenChanged, ZooKeeperState.Connected, "/parent"), await recorder.NextAsync("child added"));

        await _client.GetChildrenAsync("/parent", recorder.Watcher);
        await _other.DeleteAsync("/parent/child");
        Assert.Equal(WatchedEventType.NodeChildrenChanged, (await recorder.NextAsync("child removed")).Type);
        Assert.Empty(await recorder.FlushAsync(_client));
    }

    [Fact]
    public async Task DeletionFiresDataAndChildWatchesOnceForTheSameWatcher()
    {
        await _client.CreateAsync("/gone");
        var recorder = new WatchRecorder();
        await _client.GetDataAsync("/gone", recorder.Watcher);
        await _client.GetChildrenAsync("/gone", recorder.Watcher);
        await _client.ExistsAsync("/gone", recorder.Watcher);
        await _other.DeleteAsync("/gone");
        Assert.Equal(WatchedEventType.NodeDeleted, (await recorder.NextAsync("deletion")).Type);
        Assert.Empty(await recorder.FlushAsync(_client));
    }

    [Fact]
    public async Task DistinctWatchersEachFire()
    {
        await _client.CreateAsync("/shared");
        var first = new WatchRecorder();
        var second = new WatchRecorder();
        await _client.GetDataAsync("/shared", first.Watcher);
        await _client.GetDataAsync("/shared", second.Watcher);
        await _other.SetDataAsync("/shared", "x"u8.ToArray());
        var expected = new WatchedEvent(WatchedEventType.NodeDataChanged, ZooKeeperState.Connected, "/shared");
        Assert.Equal(expected, await first.NextAsync("first watcher"));
        Assert.Equal(expected, await second.NextAsync("second watcher"));

        // Each fired exactly once.
        Assert.Empty(await first.FlushAsync(_client));
        Assert.Empty(await second.FlushAsync(_client));
    }

    [Fact]
    public async Task EventsArriveInOrderOnOneLoop()
    {
        var recorder = new WatchRecorder();
        var active = 0;
        var overlapped = false;
        async Task Watcher(WatchedEvent e)
        {
            overlapped |= Interlocked.Increment(ref active) > 1;
            await Task.Yield();
            await recorder.Watcher(e);
            Interlocked.Decrement(ref active);
        }

        for (var i = 0; i < 20; i++)
        {
            Assert.Null(await _client.ExistsAsync($"/n{i:D2}", Watcher));
        }

        // One multi creates them all: the server fires the watches in operation order.
        await _other.MultiAsync(Enumerable.Range(0, 20).Select(i => Op.Create($"/n{i:D2}")));
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal($"/n{i:D2}", (await recorder.NextAsync($"creation of /n{i:D2}")).Path);
        }

        Assert.False(overlapped, "watchers ran concurrently");
    }

    [Fact]
    public async Task ThrowingWatcherDoesNotStopDelivery()
    {
        await _client.CreateAsync("/throws");
        var recorder = new WatchRecorder();
        await _client.GetDataAsync("/throws", _ => throw new InvalidOperationException("boom"));
        await _client.ExistsAsync("/throws", recorder.Watcher);
        await _other.SetDataAsync("/throws", "x"u8.ToArray());
        await recorder.NextAsync("event after a throwing watcher");
        Assert.Empty(await recorder.FlushAsync(_client));
    }

    [Fact]
    public async Task FailedGetDataSetsNoWatch()
    {
        var recorder = new WatchRecorder();
        await Assert.ThrowsAsync<NoNodeException>(() => _client.GetDataAsync("/absent", recorder.Watcher));
        await _other.CreateAsync("/absent");
        Assert.Empty(await recorder.FlushAsync(_client));
    }

    [Fact]
    public async Task OwnChangesFireOwnWatches()
    {
        await _client.CreateAsync("/self");
        var recorder = new WatchRecorder();
        await _client.GetDataAsync("/self", recorder.Watcher);
        await _client.SetDataAsync("/self", "x"u8.ToArray());
        Assert.Equal(WatchedEventType.NodeDataChanged, (await recorder.NextAsync("own change")).Type);
    }
}
