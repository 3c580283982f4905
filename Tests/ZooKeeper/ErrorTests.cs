using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

[Collection(ZooKeeperCollection.Name)]
public sealed class ErrorTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync() => _client = await ZooKeeperFixture.ConnectAsync(await fixture.NewChrootAsync());

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task NoNodeForEveryOperationOnAMissingNode()
    {
        Assert.Equal("/missing", (await Assert.ThrowsAsync<NoNodeException>(() => _client.GetDataAsync("/missing"))).Path);
        await Assert.ThrowsAsync<NoNodeException>(() => _client.SetDataAsync("/missing", new byte[1]));
        await Assert.ThrowsAsync<NoNodeException>(() => _client.DeleteAsync("/missing"));
        await Assert.ThrowsAsync<NoNodeException>(() => _client.GetChildrenAsync("/missing"));
        var error = await Assert.ThrowsAsync<NoNodeException>(() => _client.CreateAsync("/missing/child"));
        Assert.Equal(ZooKeeperErrorCode.NoNode, error.Code);
        Assert.Equal("/missing/child", error.Path);
    }

    [Fact]
    public async Task NodeExists()
    {
        await _client.CreateAsync("/twice");
        var error = await Assert.ThrowsAsync<NodeExistsException>(() => _client.CreateAsync("/twice"));
        Assert.Equal(ZooKeeperErrorCode.NodeExists, error.Code);
        Assert.Equal("/twice", error.Path);
    }

    [Fact]
    public async Task BadVersionOnSetAndDelete()
    {
        await _client.CreateAsync("/versioned");
        await Assert.ThrowsAsync<BadVersionException>(() => _client.SetDataAsync("/versioned", new byte[1], version: 3));
        await Assert.ThrowsAsync<BadVersionException>(() => _client.DeleteAsync("/versioned", version: 3));
        await _client.SetDataAsync("/versioned", new byte[1], version: 0);
        await _client.DeleteAsync("/versioned", version: 1);
    }

    [Fact]
    public async Task NotEmpty()
    {
        await _client.CreateAsync("/full");
        await _client.CreateAsync("/full/child");
        Assert.Equal("/full", (await Assert.ThrowsAsync<NotEmptyException>(() => _client.DeleteAsync("/full"))).Path);
    }

    [Fact]
    public async Task NoChildrenForEphemerals()
    {
        await _client.CreateAsync("/eph", mode: CreateMode.Ephemeral);
        await Assert.ThrowsAsync<NoChildrenForEphemeralsException>(() => _client.CreateAsync("/eph/child"));
    }

    [Fact]
    public async Task InvalidAcl()
    {
        await Assert.ThrowsAsync<InvalidAclException>(() => _client.CreateAsync("/no-acl", acl: []));
        await Assert.ThrowsAsync<InvalidAclException>(() => _client.CreateAsync("/bad-scheme", acl: [new Acl(Permissions.All, new Id("no-such-scheme", "x"))]));
    }

    [Fact]
    public async Task BadArgumentsForTheServersOwnNode()
    {
        await using var root = await ZooKeeperFixture.ConnectAsync(fixture.Server.ConnectionString);
        await Assert.ThrowsAsync<BadArgumentsException>(() => root.DeleteAsync("/zookeeper"));
    }

    [Fact]
    public async Task NoAuthUntilDigestCredentialsAreAdded()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var owner = await ZooKeeperFixture.ConnectAsync(chroot);
        await owner.AddDigestAuthAsync("alice", "secret");
        await owner.CreateAsync("/private", "x"u8.ToArray(), acl: [Acl.Digest("alice", "secret")]);
        Assert.Equal("x"u8.ToArray(), (await owner.GetDataAsync("/private")).Data);

        await using var stranger = await ZooKeeperFixture.ConnectAsync(chroot);
        Assert.Equal("/private", (await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync("/private"))).Path);
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.SetDataAsync("/private", new byte[1]));

        await stranger.AddDigestAuthAsync("alice", "wrong");
        await Assert.ThrowsAsync<NoAuthException>(() => stranger.GetDataAsync("/private"));
        await stranger.AddDigestAuthAsync("alice", "secret");
        Assert.Equal("x"u8.ToArray(), (await stranger.GetDataAsync("/private")).Data);
    }

    [Fact]
    public async Task GetAndSetAcl()
    {
        await _client.CreateAsync("/acl");
        var initial = await _client.GetAclAsync("/acl");
        Assert.Equal(Acl.OpenUnsafe, initial.Acl);
        Assert.Equal(0, initial.Stat.Aversion);

        await Assert.ThrowsAsync<BadVersionException>(() => _client.SetAclAsync("/acl", Acl.ReadUnsafe, aclVersion: 5));
        var stat = await _client.SetAclAsync("/acl", Acl.ReadUnsafe, aclVersion: 0);
        Assert.Equal(1, stat.Aversion);
        Assert.Equal(Acl.ReadUnsafe, (await _client.GetAclAsync("/acl")).Acl);

        // Read-only for everyone now: neither the data nor the ACL (admin) can be changed.
        await Assert.ThrowsAsync<NoAuthException>(() => _client.SetDataAsync("/acl", new byte[1]));
        await Assert.ThrowsAsync<NoAuthException>(() => _client.SetAclAsync("/acl", Acl.OpenUnsafe));
        await Assert.ThrowsAsync<NoNodeException>(() => _client.GetAclAsync("/none"));
    }

    [Fact]
    public async Task CreatorAllAclNeedsAuthentication()
    {
        await Assert.ThrowsAsync<InvalidAclException>(() => _client.CreateAsync("/creator", acl: Acl.CreatorAll));
        await _client.AddDigestAuthAsync("bob", "pw");
        await _client.CreateAsync("/creator", acl: Acl.CreatorAll);
        Assert.NotNull(await _client.ExistsAsync("/creator"));
    }

    [Fact]
    public async Task AuthFailedIsTerminal()
    {
        var states = new List<ZooKeeperState>();
        _client.StateChanged += state => { lock (states) { states.Add(state); } };
        await Assert.ThrowsAsync<AuthFailedException>(() => _client.AddAuthAsync("no-such-scheme", [1, 2, 3]));
        await Eventually.UntilAsync(() => _client.State == ZooKeeperState.AuthFailed, "state AuthFailed");
        await Assert.ThrowsAsync<AuthFailedException>(() => _client.GetDataAsync("/"));
        await Assert.ThrowsAsync<AuthFailedException>(() => _client.WaitForStateAsync(ZooKeeperState.Connected));
        await Eventually.UntilAsync(() => { lock (states) { return states.Contains(ZooKeeperState.AuthFailed); } }, "AuthFailed event");
    }

    [Fact]
    public async Task MissingChrootGivesNoNode()
    {
        await using var client = await ZooKeeperFixture.ConnectAsync(fixture.Server.ConnectionString + "/no-such-chroot-" + Guid.NewGuid().ToString("N"));
        await Assert.ThrowsAsync<NoNodeException>(() => client.CreateAsync("/child"));
        Assert.Null(await client.ExistsAsync("/"));
    }

    [Fact]
    public async Task OperationsAfterDisposeThrow()
    {
        await _client.DisposeAsync();
        Assert.Equal(ZooKeeperState.Closed, _client.State);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _client.GetDataAsync("/"));
    }
}
