using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>One ZooKeeper server shared by the tests of the ZooKeeper collection; each test works in its own chroot.</summary>
public sealed class ZooKeeperFixture : IAsyncLifetime
{
    public ZooKeeperServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await ZooKeeperServer.StartAsync();

    public async Task DisposeAsync()
    {
        if (Server is not null)
        {
            await Server.DisposeAsync();
        }
    }

    /// <summary>Creates a fresh chroot node (<c>/test-&lt;guid&gt;</c>) and returns the connection string rooted there.</summary>
    public async Task<string> NewChrootAsync()
    {
        // A test that failed between stopping and restarting the shared server must not fail every later test.
        if (await Server.EnsureRunningAsync() is { } repaired)
        {
            Console.Error.WriteLine($"ZooKeeperFixture: the shared server on port {Server.Port} was restarted before the next test: {repaired}");
        }

        var chroot = "/test-" + Guid.NewGuid().ToString("N");
        ZooKeeperClient root;
        try
        {
            root = await ConnectAsync(Server.ConnectionString);
        }
        catch (ConnectionLossException exception)
        {
            throw new InvalidOperationException(
                $"The shared ZooKeeper server (running: {Server.IsRunning}) did not take a session: {exception.Message}\n{Server.DescribeForFailure()}", exception);
        }

        await using (root)
        {
            await root.CreateAsync(chroot);
        }

        return Server.ConnectionString + chroot;
    }

    /// <summary>
    /// Expires <paramref name="victim"/>'s session the well-known way: attach a second connection to the session, then
    /// close it. The victim reaches the server through <paramref name="proxy"/> and is cut off meanwhile; else it can
    /// re-attach in between, take the session back from the second connection (whose close then never reaches the
    /// server) and keep it alive. A CI run without the proxy waited 30 s for an expiry that never came.
    /// </summary>
    public async Task ExpireSessionAsync(TcpProxy proxy, ZooKeeperClient victim)
    {
        proxy.Block();
        await Eventually.WithinAsync(victim.WaitForStateAsync(ZooKeeperState.Suspended), "the victim to be cut off from ZooKeeper");
        var twin = await ConnectAsync(Server.ConnectionString, TimeSpan.FromSeconds(4), victim.SessionId, victim.SessionPassword);
        if (twin.SessionId != victim.SessionId)
        {
            throw new InvalidOperationException($"The second connection got session 0x{twin.SessionId:x}, not the victim's 0x{victim.SessionId:x}");
        }

        await twin.DisposeAsync();
        proxy.Unblock();
    }

    /// <summary>
    /// A test's own client. Its session outlives a stalled machine (a full run saw 3 s without a byte: a 4 s session's
    /// read timeout is 2.7 s); tests about expiry, read timeouts or pings pass a short <paramref name="sessionTimeout"/>.
    /// </summary>
    public static readonly TimeSpan DefaultSessionTimeout = TimeSpan.FromSeconds(30);

    public static Task<ZooKeeperClient> ConnectAsync(string connectionString, TimeSpan? sessionTimeout = null, long sessionId = 0, byte[]? password = null) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectionString = connectionString,
            SessionTimeout = sessionTimeout ?? DefaultSessionTimeout,
            ConnectTimeout = TimeSpan.FromSeconds(20),
            SessionId = sessionId,
            SessionPassword = password,
        }, FileLoggerFactory.FromEnvironment());
}
