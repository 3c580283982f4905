using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Serialization;
using Zuul.LiveLog.ZooKeeper.Orleans;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>The ZooKeeper providers outside a silo: a service provider with a serializer, options and one connection.</summary>
internal sealed class Providers : IAsyncDisposable
{
    private readonly ServiceProvider _services;

    public Providers(string connectionString, string clusterId, string? zone = null, ILoggerProvider? logs = null, TimeSpan? connectTimeout = null, Action<ZooKeeperOptions>? security = null, TimeSpan? sessionTimeout = null)
    {
        ClusterId = clusterId;
        var services = new ServiceCollection();
        services.AddLogging(b =>
        {
            if (logs is not null)
            {
                b.AddProvider(logs);
            }
        });
        services.AddSerializer();
        services.Configure<ClusterOptions>(o =>
        {
            o.ClusterId = clusterId;
            o.ServiceId = "test";
        });
        services.AddZooKeeperConnection(o =>
        {
            o.ConnectionString = connectionString;
            o.SessionTimeout = sessionTimeout ?? ZooKeeperFixture.DefaultSessionTimeout; // short only where a test is about expiry
            o.ConnectTimeout = connectTimeout ?? TimeSpan.FromSeconds(15);
            o.MaxRetryDelay = TimeSpan.FromSeconds(1);
            security?.Invoke(o);
        });
        services.AddOptions<ZooKeeperClusteringOptions>().Configure(o => o.Zone = zone);
        services.AddSingleton<ZooKeeperMembershipTable>();
        services.AddSingleton<ZooKeeperGatewayListProvider>();
        services.AddSingleton(sp => new ZooKeeperGrainStorage("test", sp.GetRequiredService<ZooKeeperConnection>(), sp.GetRequiredService<ILogger<ZooKeeperGrainStorage>>()));
        _services = services.BuildServiceProvider();
    }

    public string ClusterId { get; }

    public ZooKeeperMembershipTable Table => _services.GetRequiredService<ZooKeeperMembershipTable>();

    public ZooKeeperGatewayListProvider Gateways => _services.GetRequiredService<ZooKeeperGatewayListProvider>();

    public ZooKeeperGrainStorage Storage => _services.GetRequiredService<ZooKeeperGrainStorage>();

    public ZooKeeperConnection Connection => _services.GetRequiredService<ZooKeeperConnection>();

    public ValueTask DisposeAsync() => _services.DisposeAsync();
}
