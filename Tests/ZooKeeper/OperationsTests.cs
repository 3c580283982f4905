using System.Text;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

[Collection(ZooKeeperCollection.Name)]
public sealed class OperationsTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private ZooKeeperClient _client = null!;
    private string _chroot = null!;

    public async Task InitializeAsync()
    {
        _chroot = await fixture.NewChrootAsync();
        _client = await ZooKeeperFixture.ConnectAsync(_chroot);
    }

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task CreateGetSetDeleteRoundTrip()
    {
        var created = await _client.CreateAsync("/node", "hello"u8.ToArray());
        Assert.Equal("/node", created);

        var read = await _client.GetDataAsync("/node");
        Assert.Equal("hello", Encoding.UTF8.GetString(read.Data));
        Assert.Equal(0, read.Stat.Version);
        Assert.Equal(5, read.Stat.DataLength);
        Assert.False(read.Stat.IsEphemeral);

        var stat = await _client.SetDataAsync("/node", "world"u8.ToArray(), version: 0);
        Assert.Equal(1, stat.Version);
        Assert.Equal("world", Encoding.UTF8.GetString((await _client.GetDataAsync("/node")).Data));

        await _client.DeleteAsync("/node", version: 1);
        Assert.Null(await _client.ExistsAsync("/node"));
    }

    [Fact]
    public async Task CreateWithStatReturnsTheNewNodesStat()
    {
        var (path, stat) = await _client.CreateWithStatAsync("/with-stat", "abc"u8.ToArray());
        Assert.Equal("/with-stat", path);
        Assert.Equal(3, stat.DataLength);
        Assert.Equal(stat, await _client.ExistsAsync("/with-stat"));
    }

    [Fact]
    public async Task EmptyDataReadsBackEmpty()
    {
        await _client.CreateAsync("/empty");
        Assert.Empty((await _client.GetDataAsync("/empty")).Data);
    }

    [Fact]
    public async Task ExistsReturnsStatOrNull()
    {
        Assert.Null(await _client.ExistsAsync("/missing"));
        await _client.CreateAsync("/present");
        var stat = await _client.ExistsAsync("/present");
        Assert.NotNull(stat);
        Assert.Equal(0, stat.Version);
    }

    [Fact]
    public async Task GetChildrenListsNamesWithParentStat()
    {
        await _client.CreateAsync("/parent");
        await _client.CreateAsync("/parent/a");
        await _client.CreateAsync("/parent/b");
        var children = await _client.GetChildrenAsync("/parent");
        Assert.Equal(["a", "b"], children.Children.Order());
        Assert.Equal(2, children.Stat.NumChildren);
        Assert.Empty((await _client.GetChildrenAsync("/parent/a")).Children);
    }

    [Fact]
    public async Task SequentialNodesGetIncreasingTenDigitSuffixes()
    {
        await _client.CreateAsync("/seq");
        var first = await _client.CreateAsync("/seq/item-", mode: CreateMode.PersistentSequential);
        var second = await _client.CreateAsync("/seq/item-", mode: CreateMode.EphemeralSequential);
        Assert.Equal("/seq/item-0000000000", first);
        Assert.Equal("/seq/item-0000000001", second);
        Assert.True((await _client.ExistsAsync(second))!.IsEphemeral);
    }

    [Fact]
    public async Task ContainerNodeIsCreated()
    {
        var path = await _client.CreateAsync("/container", mode: CreateMode.Container);
        Assert.Equal("/container", path);
        await _client.CreateAsync("/container/child");
        Assert.NotNull(await _client.ExistsAsync("/container/child"));
    }

    [Fact]
    public async Task SyncIsAnsweredInOrderAndTheNextReadSeesAnotherClientsWrite()
    {
        await _client.CreateAsync("/synced", "old"u8.ToArray());
        await using var other = await ZooKeeperFixture.ConnectAsync(_chroot);
        await other.SetDataAsync("/synced", "new"u8.ToArray());

        // Sent back to back: the read is answered after the sync, and both replies reach the right caller.
        var sync = _client.SyncAsync("/synced");
        var read = _client.GetDataAsync("/synced");
        await sync;
        var data = await read;
        Assert.Equal("new", Encoding.UTF8.GetString(data.Data));
        Assert.Equal(1, data.Stat.Version);

        await _client.SyncAsync("/");
        await Assert.ThrowsAsync<ArgumentException>(() => _client.SyncAsync("no-leading-slash"));
        Assert.Equal(ZooKeeperState.Connected, _client.State);
    }

    [Fact]
    public async Task EphemeralNodesVanishWhenTheSessionCloses()
    {
        var chroot = await fixture.NewChrootAsync();
        var owner = await ZooKeeperFixture.ConnectAsync(chroot);
        await owner.CreateAsync("/eph", mode: CreateMode.Ephemeral);
        await owner.CreateAsync("/eph-seq-", mode: CreateMode.EphemeralSequential);
        await using var observer = await ZooKeeperFixture.ConnectAsync(chroot);
        var stat = await observer.ExistsAsync("/eph");
        Assert.Equal(owner.SessionId, stat!.EphemeralOwner);
        Assert.Equal(2, (await observer.GetChildrenAsync("/")).Children.Count);

        var states = new StateLog(owner);
        await owner.DisposeAsync();
        Assert.Equal(ZooKeeperState.Closed, owner.State);
        Assert.Equal([ZooKeeperState.Closed], states.AfterConnect());

        // Closing the session removes its ephemerals at once (no wait for the timeout).
        Assert.Null(await observer.ExistsAsync("/eph"));
        Assert.Empty((await observer.GetChildrenAsync("/")).Children);
    }

    [Fact]
    public async Task PipelinedRequestsCompleteInOrder()
    {
        await _client.CreateAsync("/pipe");
        var writes = Enumerable.Range(0, 200).Select(i => _client.SetDataAsync("/pipe", Encoding.UTF8.GetBytes(i.ToString()))).ToList();
        var stats = await Task.WhenAll(writes);
        Assert.Equal(Enumerable.Range(1, 200), stats.Select(s => s.Version));
        Assert.Equal("199", Encoding.UTF8.GetString((await _client.GetDataAsync("/pipe")).Data));
    }

    [Fact]
    public async Task LargeDataUpToTheLimitRoundTrips()
    {
        var data = new byte[900 * 1024];
        Random.Shared.NextBytes(data);
        await _client.CreateAsync("/large", data);
        Assert.Equal(data, (await _client.GetDataAsync("/large")).Data);
    }

    [Fact]
    public async Task OversizedRequestIsRejectedBeforeSending()
    {
        var data = new byte[ZooKeeperClientOptions.DefaultMaxPacketSize + 1];
        var error = await Assert.ThrowsAsync<PacketTooLargeException>(() => _client.CreateAsync("/too-large", data));
        Assert.Equal("/too-large", error.Path);
        Assert.Equal(ZooKeeperErrorCode.MarshallingError, error.Code);
        Assert.Contains("jute.maxbuffer", error.Message);

        // The session is unaffected.
        Assert.Equal(ZooKeeperState.Connected, _client.State);
        await _client.CreateAsync("/after-too-large");
    }

    [Fact]
    public async Task OversizedReplyFailsOnlyItsRequest()
    {
        await _client.CreateAsync("/big", new byte[4096]);
        var chroot = _client.Chroot!;
        await using var small = await ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectionString = fixture.Server.ConnectionString + chroot,
            MaxPacketSize = 1024,
        });
        var session = small.SessionId;
        var before = small.ExistsAsync("/big");
        var tooLarge = small.GetDataAsync("/big");
        var after = small.ExistsAsync("/big");
        var error = await Assert.ThrowsAsync<PacketTooLargeException>(() => tooLarge);
        Assert.Equal("/big", error.Path);
        Assert.Equal(1024, error.Limit);
        Assert.NotNull(await before);
        Assert.NotNull(await after);
        Assert.Equal(ZooKeeperState.Connected, small.State);
        Assert.Equal(session, small.SessionId);
    }

    [Fact]
    public async Task InvalidPathsAreRejectedLocally()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateAsync("relative"));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateAsync("/trailing/"));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.CreateAsync("/a//b"));
        await Assert.ThrowsAsync<ArgumentException>(() => _client.GetDataAsync("/a/../b"));
    }

    [Fact]
    public async Task CancelledRequestDoesNotDisturbOthers()
    {
        await _client.CreateAsync("/cancel");
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _client.GetDataAsync("/cancel", cancellationToken: cts.Token));
        Assert.NotNull(await _client.ExistsAsync("/cancel"));
    }
}
