using System.Diagnostics;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>
/// A gateway process that vanishes without a goodbye (its ZooKeeper connection cut, as by kill -9 or a network
/// split): its entry goes within the session timeout, the watching directory follows, and the entry comes back on a
/// new session when the process is reachable again.
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class RegistryCrashTests(ZooKeeperFixture fixture)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task EntryOfACutOffGatewayGoesWithinTheSessionTimeoutAndComesBack()
    {
        var chroot = await fixture.NewChrootAsync();
        await using var proxy = new TcpProxy(fixture.Server.Port);
        var viaProxy = proxy.Via(chroot);
        var sessionTimeout = TimeSpan.FromSeconds(4);
        await using var gatewayProcess = new Providers(viaProxy, "c", sessionTimeout: sessionTimeout);
        await using var observerProcess = new Providers(chroot, "c");
        await using var watcher = new FingerGatewayWatcher(observerProcess.Connection, Microsoft.Extensions.Logging.Abstractions.NullLogger<FingerGatewayWatcher>.Instance);

        var entry = new RegisteredGateway("fingergw", "gw1.zone2.example", 79, 7979, "zone2", true, "running", "test");
        await using var registration = await FingerGatewayRegistration.CreateAsync(gatewayProcess.Connection, entry);
        await Eventually.UntilAsync(async () => (await watcher.GetAsync()).Contains(entry), "the watcher to list the entry", Timeout);
        var firstPath = registration.Path;

        proxy.Block(); // the gateway's process is gone as far as ZooKeeper can tell
        var cut = Stopwatch.StartNew();
        await Eventually.UntilAsync(async () => (await watcher.GetAsync()).Count == 0, "the entry to go with the expired session", Timeout);
        // About one session timeout; three allow for a stalled machine (a full run saw 9.3 s) and still tell expiry
        // from an entry that never goes.
        Assert.True(cut.Elapsed < 3 * sessionTimeout, $"the entry went {cut.Elapsed} after the cut; session timeout {sessionTimeout}");

        proxy.Unblock(); // reachable again: the old session has expired, the registration returns on a new one
        await Eventually.UntilAsync(async () => (await watcher.GetAsync()).Contains(entry), "the entry to come back on a new session", Timeout);
        Assert.NotEqual(firstPath, registration.Path);
    }
}
