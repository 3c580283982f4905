using Orleans.Zuul.ZooKeeper;

namespace Orleans.Zuul.Tests.Infrastructure;

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
        var chroot = "/test-" + Guid.NewGuid().ToString("N");
        await using var root = await ConnectAsync(Server.ConnectionString);
        await root.CreateAsync(chroot);
        return Server.ConnectionString + chroot;
    }

    public static Task<ZooKeeperClient> ConnectAsync(string connectionString, TimeSpan? sessionTimeout = null, long sessionId = 0, byte[]? password = null) =>
        ZooKeeperClient.ConnectAsync(new ZooKeeperClientOptions
        {
            ConnectionString = connectionString,
            SessionTimeout = sessionTimeout ?? TimeSpan.FromSeconds(4),
            ConnectTimeout = TimeSpan.FromSeconds(20),
            SessionId = sessionId,
            SessionPassword = password,
        }, FileLoggerFactory.FromEnvironment());
}
