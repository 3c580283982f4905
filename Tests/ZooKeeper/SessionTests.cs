using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>Connection loss, reconnect with the same session, read timeouts and watch re-registration.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class SessionTests(ZooKeeperFixture fixture)
{
    [Fact]
    public async Task ServerRestartKeepsTheSessionAndFailsInFlightOperations()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var client = await ZooKeeperFixture.ConnectAsync(chroot, TimeSpan.FromSeconds(6));
        var states = new StateLog(client);
        var session = client.SessionId;
        await client.CreateAsync("/ephemeral", mode: CreateMode.Ephemeral);

        // Frozen, the server takes the request but never answers: it is in flight when the server dies.
        await fixture.Server.PauseAsync();
        try
        {
            var inFlight = client.GetDataAsync("/ephemeral");
            await fixture.Server.StopAsync();
            var error = await Eventually.WithinAsync(Assert.ThrowsAsync<ConnectionLossException>(() => inFlight), "in-flight request to fail");
            Assert.Equal("/ephemeral", error.Path);
            await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Suspended), "Suspended after the server died");
        }
        finally
        {
            // Shared by the collection: back in service whether or not the assertions above held.
            await fixture.Server.EnsureRunningAsync();
        }

        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Connected), "reconnect after restart");
        Assert.Equal(session, client.SessionId);

        var stat = await client.ExistsAsync("/ephemeral");
        Assert.Equal(session, stat?.EphemeralOwner);
        await client.SetDataAsync("/ephemeral", "later"u8.ToArray());
        await states.WaitForAsync([ZooKeeperState.Suspended, ZooKeeperState.Connected]);
    }

    [Fact]
    public async Task SilentServerIsDetectedByReadTimeoutAndTheSessionSurvives()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        // 20 s: the read timeout (2/3, 13.3 s) leaves 6.7 s to reconnect before the server expires the session it has
        // not heard from since the freeze, enough for a loaded machine; 8 s left 2.7 s, and one full run saw it expire.
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(chroot), TimeSpan.FromSeconds(20));
        var session = client.SessionId;
        await client.CreateAsync("/still-here", mode: CreateMode.Ephemeral);

        proxy.Freeze();
        var started = DateTime.UtcNow;
        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Suspended), "read timeout to drop the silent connection", TimeSpan.FromSeconds(60));

        // The frozen proxy keeps the TCP connection up, so only the read timeout can notice; and not before it is due
        // (the last reply came just before the freeze; one tick of the ping loop is 0.5 s).
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(12.5), $"dropped after {DateTime.UtcNow - started}, before the read timeout");

        proxy.Thaw();
        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Connected), "reconnect after thaw");
        Assert.Equal(session, client.SessionId);
        Assert.Equal(session, (await client.ExistsAsync("/still-here"))?.EphemeralOwner);
    }

    [Fact]
    public async Task IdleSessionIsKeptAliveByPings()
    {
        var connectionString = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        // 10 s: a ping once idle for 10/3 s less 1 s, read timeout 20/3 s, so a stall of the server's up to 4 s does not
        // drop the connection; a read timeout seen just after a stall of ours waits a tick for the replies (SilenceMeter).
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(connectionString), TimeSpan.FromSeconds(10));
        var states = new StateLog(client);
        await client.CreateAsync("/alive", mode: CreateMode.Ephemeral);
        await using var observer = await ZooKeeperFixture.ConnectAsync(connectionString);

        // The caller stays silent; only pings cross the proxy now (a reply frame is 20 bytes). Six answered pings (one
        // every 7/3 s) span two read timeouts (20/3 s): without pings the connection would have been dropped; with
        // them it stays up. Counted, not timed: a loaded machine only makes this take longer. (The byte count is not
        // checked for a multiple of 20: a frame the proxy has read only in part made that check fail 1 run in 20.)
        var toClient = proxy.BytesToClients;
        const int PingReply = 20;
        await Eventually.UntilAsync(() => proxy.BytesToClients - toClient >= 6 * PingReply, "six ping replies to reach the idle client", TimeSpan.FromSeconds(60));
        Assert.NotNull(await observer.ExistsAsync("/alive"));
        Assert.DoesNotContain(ZooKeeperState.Suspended, states.Seen);
        Assert.Equal(ZooKeeperState.Connected, client.State);
    }

    [Fact]
    public async Task WatchesFireForChangesMadeWhileDisconnected()
    {
        var connectionString = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(connectionString), TimeSpan.FromSeconds(8));
        await using var other = await ZooKeeperFixture.ConnectAsync(connectionString);
        await client.CreateAsync("/data");
        await client.CreateAsync("/parent");
        await client.CreateAsync("/untouched");
        var recorder = new WatchRecorder();
        await client.GetDataAsync("/data", recorder.Watcher);
        await client.ExistsAsync("/created", recorder.Watcher);
        await client.GetChildrenAsync("/parent", recorder.Watcher);
        await client.GetDataAsync("/untouched", recorder.Watcher);

        proxy.Block();
        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Suspended), "Suspended while cut off");
        await other.SetDataAsync("/data", "changed"u8.ToArray());
        await other.CreateAsync("/created");
        await other.CreateAsync("/parent/child");
        proxy.Unblock();

        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Connected), "reconnect");
        var events = new List<WatchedEvent>
        {
            await recorder.NextAsync("first missed change"),
            await recorder.NextAsync("second missed change"),
            await recorder.NextAsync("third missed change"),
        };
        Assert.Equal(
            [(WatchedEventType.NodeCreated, "/created"), (WatchedEventType.NodeDataChanged, "/data"), (WatchedEventType.NodeChildrenChanged, "/parent")],
            events.Select(e => (e.Type, e.Path!)).OrderBy(e => e.Item2));
        Assert.Empty(await recorder.FlushAsync(client));

        // The untouched node's watch is still armed, exactly once.
        await other.SetDataAsync("/untouched", "now"u8.ToArray());
        Assert.Equal("/untouched", (await recorder.NextAsync("untouched node change")).Path);
        Assert.Empty(await recorder.FlushAsync(client));
    }

    [Fact]
    public async Task WatchesSurviveAServerRestart()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var client = await ZooKeeperFixture.ConnectAsync(chroot, TimeSpan.FromSeconds(6));
        await using var other = await ZooKeeperFixture.ConnectAsync(chroot, TimeSpan.FromSeconds(6));
        await client.CreateAsync("/watched");
        var recorder = new WatchRecorder();
        await client.GetDataAsync("/watched", recorder.Watcher);

        await fixture.Server.RestartAsync();

        // Whether the change lands before or after the client is back, the watch fires exactly once.
        await Eventually.WithinAsync(other.WaitForStateAsync(ZooKeeperState.Connected), "other client reconnects");
        // The other client may not have noticed the restart yet: an unconditional set is safe to retry.
        await ZooKeeperRetry.RunAsync(token => other.SetDataAsync("/watched", "after restart"u8.ToArray(), cancellationToken: token));
        Assert.Equal(WatchedEventType.NodeDataChanged, (await recorder.NextAsync("change across the restart")).Type);
        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Connected), "client reconnects");
        Assert.Empty(await recorder.FlushAsync(client));
    }

    [Fact]
    public async Task FailsOverToAWorkingHost()
    {
        var chroot = await fixture.NewChrootAsync();
        var deadHost = "127.0.0.1:1";
        var connectionString = $"{deadHost},{fixture.Server.ConnectionString},{deadHost}{chroot[chroot.IndexOf('/')..]}";
        await using var client = await ZooKeeperFixture.ConnectAsync(connectionString);
        Assert.Equal("/x", await client.CreateAsync("/x"));
    }

    [Fact]
    public async Task ConnectToNothingFailsWithConnectionLoss()
    {
        var options = new ZooKeeperClientOptions { ConnectionString = "127.0.0.1:1", ConnectTimeout = TimeSpan.FromSeconds(1) };
        await Assert.ThrowsAsync<ConnectionLossException>(() => ZooKeeperClient.ConnectAsync(options));
    }

    [Fact]
    public async Task RequestsQueuedWhileNoServerAnswersFailWithConnectionLoss()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(chroot), TimeSpan.FromSeconds(8));
        proxy.Block();
        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Suspended), "Suspended");
        await Eventually.WithinAsync(Assert.ThrowsAsync<ConnectionLossException>(() => client.GetDataAsync("/")), "queued request to fail");
        proxy.Unblock();
        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Connected), "reconnect");
        await client.GetDataAsync("/");
    }

    [Fact]
    public async Task CredentialsAreSentAgainAfterReconnect()
    {
        var connectionString = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(connectionString), TimeSpan.FromSeconds(8));
        await client.AddDigestAuthAsync("carol", "pw");
        await client.CreateAsync("/private", "secret"u8.ToArray(), acl: [Acl.Digest("carol", "pw")]);

        proxy.Block();
        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Suspended), "Suspended");
        proxy.Unblock();
        await Eventually.WithinAsync(client.WaitForStateAsync(ZooKeeperState.Connected), "reconnect");

        Assert.Equal("secret"u8.ToArray(), (await client.GetDataAsync("/private")).Data);
    }

    [Fact]
    public async Task ConcurrentRequestsAcrossADropEitherSucceedOrFailWithConnectionLoss()
    {
        var connectionString = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(connectionString), TimeSpan.FromSeconds(8));
        await client.CreateAsync("/counter");
        var states = new StateLog(client);
        var requests = Enumerable.Range(0, 500).Select(i => client.SetDataAsync("/counter", BitConverter.GetBytes(i))).ToList();
        proxy.Block();
        proxy.Unblock();
        foreach (var request in requests)
        {
            try
            {
                await request;
            }
            catch (ConnectionLossException)
            {
                // Acceptable: in flight when the connection dropped.
            }
        }

        await states.WaitForAsync([ZooKeeperState.Suspended, ZooKeeperState.Connected]);
        var versions = requests.Where(r => r.IsCompletedSuccessfully).Select(r => r.Result.Version).ToList();
        Assert.Equal(versions.Order(), versions);
        Assert.Equal(versions.Distinct().Count(), versions.Count);

        // A request whose reply was lost may still have been applied: at least the confirmed ones are.
        Assert.InRange((await client.ExistsAsync("/counter"))!.Version, versions.Count, requests.Count);
    }

    [Fact]
    public async Task CancellingARequestAlreadySentKeepsRepliesInStep()
    {
        var connectionString = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(connectionString), TimeSpan.FromSeconds(8));
        await client.CreateAsync("/node", "data"u8.ToArray());
        var session = client.SessionId;

        // Held by the frozen relay, the request is on the wire but unanswered when it is cancelled.
        proxy.Freeze();
        var sentBefore = proxy.BytesFromClients;
        using var cancel = new CancellationTokenSource();
        var cancelled = client.GetDataAsync("/node", cancellationToken: cancel.Token);
        await Eventually.UntilAsync(() => proxy.BytesFromClients > sentBefore, "request to reach the relay");
        var next = client.ExistsAsync("/node");
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => cancelled);
        proxy.Thaw();

        // Its reply is still consumed in order: the next request gets its own answer, on the same connection.
        Assert.Equal(4, (await next)!.DataLength);
        Assert.Equal("data"u8.ToArray(), (await client.GetDataAsync("/node")).Data);
        Assert.Equal(session, client.SessionId);
        Assert.Equal(ZooKeeperState.Connected, client.State);
    }
}
