using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Hosting;
using Orleans.Messaging;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Storage;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>Wiring of the ZooKeeper providers.</summary>
public static class ZooKeeperOrleansExtensions
{
    /// <summary>The process's shared ZooKeeper session (<see cref="ZooKeeperConnection"/>) with validated options.</summary>
    public static IServiceCollection AddZooKeeperConnection(this IServiceCollection services, Action<ZooKeeperOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ZooKeeperOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ZooKeeperOptions>, ZooKeeperOptionsValidator>());
        services.TryAddSingleton<ZooKeeperConnection>();
        return services;
    }

    /// <summary>Membership table in ZooKeeper (<c>/clusters/&lt;clusterId&gt;</c>).</summary>
    public static ISiloBuilder UseZooKeeperClustering(this ISiloBuilder builder, Action<ZooKeeperOptions> configure, Action<ZooKeeperClusteringOptions>? clustering = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddZooKeeperConnection(configure);
        AddClusteringOptions(builder.Services, clustering);
        builder.Services.AddSingleton<IMembershipTable, ZooKeeperMembershipTable>();
        builder.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, MembershipShutdownBound>();
        return builder;
    }

    /// <summary>Gateway list from the membership table in ZooKeeper, preferring the client's zone.</summary>
    public static IClientBuilder UseZooKeeperClustering(this IClientBuilder builder, Action<ZooKeeperOptions> configure, Action<ZooKeeperClusteringOptions>? clustering = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddZooKeeperConnection(configure);
        AddClusteringOptions(builder.Services, clustering);
        builder.Services.AddSingleton<IGatewayListProvider, ZooKeeperGatewayListProvider>();
        return builder;
    }

    private static void AddClusteringOptions(IServiceCollection services, Action<ZooKeeperClusteringOptions>? clustering)
    {
        services.AddOptions<ZooKeeperClusteringOptions>().Configure(o => clustering?.Invoke(o)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ZooKeeperClusteringOptions>, ZooKeeperClusteringOptionsValidator>());
    }

    /// <summary>Grain storage <paramref name="name"/> in ZooKeeper (<c>/grains/&lt;type&gt;/&lt;key&gt;</c>), JSON, ETag = znode version.</summary>
    public static ISiloBuilder AddZooKeeperGrainStorage(this ISiloBuilder builder, string name, Action<ZooKeeperOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrEmpty(name);
        builder.Services.AddZooKeeperConnection(configure);
        builder.Services.AddGrainStorage(name, (sp, n) => new ZooKeeperGrainStorage(
            n, sp.GetRequiredService<ZooKeeperConnection>(), sp.GetRequiredService<ILogger<ZooKeeperGrainStorage>>()));
        return builder;
    }
}
