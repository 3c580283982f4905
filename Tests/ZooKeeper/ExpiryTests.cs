using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>Session expiry: terminal, reported once, and survived by the registration helper through a new session.</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class ExpiryTests(ZooKeeperFixture fixture)
{
    [Fact]
    public async Task ClosingTheSessionFromASecondConnectionExpiresTheFirst()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var proxy = NewProxy();
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(chroot));
        var states = new StateLog(client);
        await client.CreateAsync("/mine", mode: CreateMode.Ephemeral);
        var recorder = new WatchRecorder();
        await client.GetDataAsync("/mine", recorder.Watcher);
        await client.ExistsAsync("/other", recorder.Watcher);

        await fixture.ExpireSessionAsync(proxy, client);

        await Eventually.UntilAsync(() => client.State == ZooKeeperState.Expired, "client to see its session expired");
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.GetDataAsync("/"));
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.WaitForStateAsync(ZooKeeperState.Connected));

        // Each armed watch fires once: the ephemeral's deletion may still reach the old connection;
        // a watch that can never fire any more learns of the expiry instead.
        var endings = new[] { await recorder.NextAsync("first watch ending"), await recorder.NextAsync("second watch ending") }
            .OrderBy(e => e.Path).ToList();
        Assert.Equal(["/mine", "/other"], endings.Select(e => e.Path!));
        Assert.Contains((endings[0].Type, endings[0].State), new[] { (WatchedEventType.NodeDeleted, ZooKeeperState.Connected), (WatchedEventType.None, ZooKeeperState.Expired) });
        Assert.Equal((WatchedEventType.None, ZooKeeperState.Expired), (endings[1].Type, endings[1].State));

        await using var observer = await ZooKeeperFixture.ConnectAsync(chroot);
        Assert.Null(await observer.ExistsAsync("/mine"));
        await states.WaitForAsync([ZooKeeperState.Suspended, ZooKeeperState.Expired]);
        Assert.Single(states.Seen, ZooKeeperState.Expired);
    }

    [Fact]
    public async Task BeingCutOffLongerThanTheTimeoutExpiresTheSessionOnce()
    {
        var connectionString = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        await using var client = await ZooKeeperFixture.ConnectAsync(proxy.Via(connectionString), TimeSpan.FromSeconds(2));
        var states = new StateLog(client);
        await client.CreateAsync("/mine", mode: CreateMode.Ephemeral);
        await using var observer = await ZooKeeperFixture.ConnectAsync(connectionString);

        proxy.Block();
        await Eventually.UntilAsync(async () => await observer.ExistsAsync("/mine") is null, "server to expire the session and drop its ephemeral");
        Assert.Equal(ZooKeeperState.Suspended, client.State);
        proxy.Unblock();

        await Eventually.UntilAsync(() => client.State == ZooKeeperState.Expired, "client to learn of the expiry on reconnect");
        await states.WaitForAsync([ZooKeeperState.Suspended, ZooKeeperState.Expired]);
        await Assert.ThrowsAsync<SessionExpiredException>(() => client.CreateAsync("/again"));
    }

    [Fact]
    public async Task RegistrationIsRecreatedOnANewSessionAfterExpiry()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var proxy = NewProxy();
        await using var sessions = new ZooKeeperSessionManager(Options(proxy.Via(chroot)));
        await using var observer = await ZooKeeperFixture.ConnectAsync(chroot);
        await using var registration = await EphemeralRegistration.CreateAsync(sessions, "/gateways/gw-1", "v1"u8.ToArray());

        var first = sessions.Current!;
        var stat = await observer.ExistsAsync("/gateways/gw-1");
        Assert.Equal(first.SessionId, stat?.EphemeralOwner);

        await fixture.ExpireSessionAsync(proxy, first);

        await Eventually.UntilAsync(
            async () => await observer.ExistsAsync("/gateways/gw-1") is { } s && s.EphemeralOwner != first.SessionId && s.EphemeralOwner != 0,
            "registration to come back on a new session");
        Assert.Equal(ZooKeeperState.Expired, first.State);
        var second = sessions.Current!;
        Assert.NotEqual(first.SessionId, second.SessionId);
        Assert.Equal(2, sessions.SessionsStarted); // zuul.zookeeper.sessions: the first one and its replacement

        // The node is visible to others a moment before the registration has recorded the create's reply.
        await Eventually.UntilAsync(() => registration.OwnerSessionId == second.SessionId, "registration to record its new owner session");
        Assert.Equal("v1"u8.ToArray(), (await observer.GetDataAsync("/gateways/gw-1")).Data);

        await registration.UpdateAsync("v2"u8.ToArray());
        Assert.Equal("v2"u8.ToArray(), (await observer.GetDataAsync("/gateways/gw-1")).Data);

        await registration.DisposeAsync();
        Assert.Null(await observer.ExistsAsync("/gateways/gw-1"));
    }

    [Fact]
    public async Task SequentialRegistrationGetsANewPathAfterExpiry()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var proxy = NewProxy();
        await using var sessions = new ZooKeeperSessionManager(Options(proxy.Via(chroot)));
        await using var observer = await ZooKeeperFixture.ConnectAsync(chroot);
        await using var registration = await EphemeralRegistration.CreateAsync(sessions, "/components/fingergw/host-", "{}"u8.ToArray(), sequential: true);
        var firstPath = registration.Path;
        Assert.Matches("^/components/fingergw/host-[0-9]{10}$", firstPath);
        var changed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        registration.PathChanged += path => changed.TrySetResult(path);

        await fixture.ExpireSessionAsync(proxy, sessions.Current!);

        var secondPath = await Eventually.WithinAsync(changed.Task, "path change after expiry");
        Assert.NotEqual(firstPath, secondPath);
        Assert.Equal(secondPath, registration.Path);
        Assert.Equal(["host-" + secondPath[^10..]], (await observer.GetChildrenAsync("/components/fingergw")).Children);
    }

    [Fact]
    public async Task RegistrationIsPutBackWhenSomeoneDeletesIt()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var proxy = NewProxy();
        await using var sessions = new ZooKeeperSessionManager(Options(proxy.Via(chroot)));
        await using var observer = await ZooKeeperFixture.ConnectAsync(chroot);
        await using var registration = await EphemeralRegistration.CreateAsync(sessions, "/reg", "x"u8.ToArray());
        await observer.DeleteAsync("/reg");
        await Eventually.UntilAsync(async () => await observer.ExistsAsync("/reg") is not null, "registration to be put back");
    }

    [Fact]
    public async Task SequentialRegistrationAdoptsItsSessionsNodeInsteadOfAddingADuplicate()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var sessions = new ZooKeeperSessionManager(Options(chroot));
        await using var observer = await ZooKeeperFixture.ConnectAsync(chroot);
        await using var registration = await EphemeralRegistration.CreateAsync(sessions, "/svc/node-", "payload"u8.ToArray(), sequential: true);
        Assert.Equal("/svc/node-0000000000", registration.Path);
        var changed = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        registration.PathChanged += path => changed.TrySetResult(path);

        // What a sequential create whose reply was lost leaves behind: another node of the same session.
        var orphan = await sessions.Current!.CreateAsync("/svc/node-", mode: CreateMode.EphemeralSequential);
        await observer.DeleteAsync(registration.Path);

        Assert.Equal(orphan, await Eventually.WithinAsync(changed.Task, "registration to adopt the orphan"));
        Assert.Equal(["node-0000000001"], (await observer.GetChildrenAsync("/svc")).Children);
        Assert.Equal("payload"u8.ToArray(), (await observer.GetDataAsync(orphan)).Data);
    }

    [Fact]
    public async Task RegistrationSurvivesAServerRestartWithoutNewSession()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var sessions = new ZooKeeperSessionManager(Options(chroot, TimeSpan.FromSeconds(6)));
        await using var registration = await EphemeralRegistration.CreateAsync(sessions, "/reg", "x"u8.ToArray());
        var session = registration.OwnerSessionId;
        await fixture.Server.RestartAsync();
        await Eventually.WithinAsync(sessions.Current!.WaitForStateAsync(ZooKeeperState.Connected), "reconnect");
        await using var observer = await ZooKeeperFixture.ConnectAsync(chroot);
        Assert.Equal(session, (await observer.ExistsAsync("/reg"))?.EphemeralOwner);
        Assert.Equal(session, sessions.Current!.SessionId);
        // zuul.zookeeper.reconnects counts it (the handlers run on the event loop, just after the state is set); no new session.
        await Eventually.UntilAsync(() => sessions.Reconnects >= 1, "the reconnect to be counted");
        Assert.Equal(1, sessions.SessionsStarted);
    }

    private static ZooKeeperClientOptions Options(string connectionString, TimeSpan? timeout = null) => new()
    {
        ConnectionString = connectionString,
        SessionTimeout = timeout ?? TimeSpan.FromSeconds(4),
        ConnectTimeout = TimeSpan.FromSeconds(20),
    };

    private TcpProxy NewProxy() => new(fixture.Server.Port);
}
