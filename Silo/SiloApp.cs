using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Zuul.LiveLog.Streams;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Finger.Tls;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Hosting.Connections;
using Zuul.LiveLog.Hosting.OrleansTls;
using Zuul.LiveLog.Hosting.Telemetry;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Silo;

/// <summary>Builds a zone's silo: Orleans with the grains, plus the zone's finger gateway.</summary>
public static class SiloApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        builder.Services.AddConsoleLogDefaults();
        configure?.Invoke(builder);
        var cluster = ClusterSettings.FromConfiguration(builder.Configuration);
        var gateway = new FingerGatewayOptions();
        builder.Configuration.GetSection(FingerGatewayOptions.Section).Bind(gateway);
        var retention = new BuildRetentionOptions();
        var liveness = new ExecutorLivenessOptions();
        var orleansTls = OrleansTlsSettings.FromConfiguration(builder.Configuration);
        var errors = cluster.Validate().Concat(FingerGatewayValidation.Validate(gateway)).Concat(ZooKeeperSettings.Validate(builder.Configuration)).Concat(orleansTls.Validate()).ToList();
        var health = HealthListener.Read(builder.Configuration, errors);
        var advertised = AdvertisedAddress.Read(builder.Configuration, errors);
        if (cluster.ZooKeeperConnectionString is not null)
        {
            try
            {
                builder.Configuration.GetSection(BuildRetentionOptions.Section).Bind(retention);
                errors.AddRange(BuildRetentionOptions.Validate(retention));
                builder.Configuration.GetSection(ExecutorLivenessOptions.Section).Bind(liveness);
                errors.AddRange(ExecutorLivenessOptions.Validate(liveness));
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"Builds: {ex.Message}");
            }
        }

        if (cluster.ClusterZone is { } clusterZone && clusterZone != cluster.Zone)
        {
            errors.Add($"Cluster:Zone '{clusterZone}' is for clients; a silo always belongs to its own zone's cluster (Zone '{cluster.Zone ?? "(none)"}').");
        }

        var executorNetworks = ExecutorNetworkSettings.Read(builder.Configuration, errors);
        var telemetry = TelemetrySettings.Read(builder.Configuration, errors);
        var keepAlive = TcpKeepAliveSettings.Read(builder.Configuration, errors);
        var sharing = builder.Configuration.ReadSharedStreamOptions(errors);
        if (errors.Count == 0)
        {
            errors.AddRange(SiloPortCheck.PortsInUse(cluster, gateway, health));
        }

        StartupValidation.ThrowIfInvalid("silo", errors);
        builder.AddZuulTelemetry(ComponentIdentity.Silo, telemetry);

        builder.Services.AddSingleton(cluster);
        builder.Services.AddSingleton(executorNetworks);
        builder.Services.AddHostedService<ExecutorNetworkWarning>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<FingerGatewayOptions>().BindConfiguration(FingerGatewayOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FingerGatewayOptions>, FingerGatewayOptionsValidator>();
        builder.Services.AddSingleton<GatewayLifecycle>();
        builder.Services.AddSingleton(new FingerConnector(new FingerConnectorOptions
        {
            ConnectTimeout = gateway.ConnectTimeout,
            ResumeWindow = gateway.ResumeWindow,
            Tls = gateway.Tls,
            Hosts = gateway.Hosts,
            LocalAddress = gateway.LocalAddress,
            KeepAlive = keepAlive,
        }));
        builder.Services.AddSingleton(sp => new ConnectionLimiter("finger gateway", gateway.Limits, sp.GetRequiredService<ZuulMetrics>(),
            new RefusalLog(sp.GetRequiredService<ILogger<ConnectionLimiter>>(), TimeProvider.System, RefusalLog.DefaultInterval)));
        builder.Services.AddSingleton<BuildStreamOpener>();
        builder.Services.AddSingleton<IHealthProbe, GrainHealthProbe>();
        builder.Services.AddSingleton<IBuildLossObserver, MetricsBuildLossObserver>();
        builder.Services.AddSingleton<StreamResumer>();
        builder.Services.AddSharedStreams(sharing);

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.OrleansClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            // The silo's name carries its zone, so the dashboard's silo list shows where each silo stands.
            silo.Configure<SiloOptions>(o => o.SiloName = $"{cluster.Zone ?? "unzoned"}-{Environment.MachineName}-{cluster.SiloPort}");
            silo.Configure<ClusterMembershipOptions>(builder.Configuration.GetSection("Orleans:Membership"));
            silo.UseZuulTls(orleansTls);
            // Grain failures leave as exceptions every caller can read and classify (transient or not).
            silo.AddIncomingGrainCallFilter<GrainErrorBoundary>();
            silo.Services.AddZuulExceptionSerialization();
            if (cluster.ZooKeeperConnectionString is null)
            {
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, cluster.PrimarySiloEndpoint, cluster.ServiceId, cluster.ClusterId);
                silo.AddMemoryGrainStorage(StorageNames.Builds);
            }
            else
            {
                UseZooKeeper(silo, builder.Configuration, cluster, advertised);
            }

            // Build lifecycle events for the web console (BuildEvents); pub-sub state for the stream's subscribers.
            silo.AddMemoryStreams(BuildEvents.StreamProvider, streams => streams.ConfigurePartitioning(BuildEvents.Queues));
            silo.AddMemoryGrainStorage(BuildEvents.PubSubStorage);
            // Grain statistics for the Orleans dashboard, which the web frontend serves under /dashboard.
            silo.AddDashboard();
            if (telemetry.Tracing)
            {
                // Grain calls continue the caller's trace (the web frontend's or a gateway's stream).
                silo.AddActivityPropagation();
            }
        });

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (gateway.Enabled)
            {
                kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), gateway.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.None;
                    // Limits and keepalive come first: a refused connection costs no TLS handshake.
                    var limits = new RelayListenerMiddleware(kestrel.ApplicationServices.GetRequiredService<ConnectionLimiter>(), keepAlive, replyInPlaintext: !gateway.Tls.ListenerTls);
                    listen.Use(next => context => limits.OnConnectionAsync(context, next));
                    if (gateway.Tls.ListenerTls)
                    {
                        var tls = new TlsServerMiddleware(gateway.Tls, kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<FingerGatewayConnectionHandler>());
                        listen.Use(next => context => tls.OnConnectionAsync(context, next));
                    }

                    listen.UseConnectionHandler<FingerGatewayConnectionHandler>();
                });
            }

            if (health is not null)
            {
                kestrel.Listen(health.Address, health.Port, listen => listen.Protocols = HttpProtocols.Http1);
            }
        });
        if (!gateway.Enabled && health is null)
        {
            builder.Services.AddSingleton<Microsoft.AspNetCore.Hosting.Server.IServer, NoListenerServer>();
        }

        if (gateway.Enabled)
        {
            if (cluster.ZooKeeperConnectionString is null)
            {
                builder.Services.AddSingleton<IGatewayRegistry, GrainGatewayRegistry>();
            }
            else
            {
                builder.Services.AddSingleton<IGatewayRegistry, ZooKeeperGatewayRegistry>();
            }

            builder.Services.AddHostedService<GatewayRegistrationService>();
        }

        if (cluster.ZooKeeperConnectionString is not null)
        {
            builder.Services.AddSingleton<FingerGatewayWatcher>();
            builder.Services.AddSingleton<IGatewayDirectory, ZooKeeperGatewayDirectory>();
            // Every zone is its own cluster: activations of one build in several zones stay fresh through watches.
            builder.Services.AddSingleton<IBuildRecordWatch, ZooKeeperBuildRecordWatch>();
            builder.Services.AddOptions<BuildRetentionOptions>().BindConfiguration(BuildRetentionOptions.Section);
            builder.Services.AddHostedService<BuildRetentionSweeper>();
            // Executors' liveness leases are ephemeral nodes: their running builds become lost when one goes.
            builder.Services.AddOptions<ExecutorLivenessOptions>().BindConfiguration(ExecutorLivenessOptions.Section);
            builder.Services.AddHostedService<ExecutorLivenessMonitor>();
        }

        var app = builder.Build();
        if (health is not null)
        {
            app.MapZuulHealth().RequireHost(health.RequiredHost);
            app.MapZuulMetrics().RequireHost(health.RequiredHost);
        }

        return app;
    }

    private static void UseZooKeeper(ISiloBuilder silo, IConfiguration configuration, ClusterSettings cluster, IPAddress? advertised)
    {
        void Bind(ZooKeeperOptions o) => ZooKeeperSettings.Bind(configuration, o);
        silo.UseZooKeeperClustering(Bind, c =>
        {
            c.Zone = cluster.Zone;
            configuration.GetSection("ZooKeeper:Clustering").Bind(c);
        });
        silo.AddZooKeeperGrainStorage(StorageNames.Builds, Bind);
        if (advertised is null)
        {
            silo.ConfigureEndpoints(cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        }
        else
        {
            silo.ConfigureEndpoints(advertised, cluster.SiloPort, cluster.GatewayPort, listenOnAnyHostAddress: true);
        }
    }

    /// <summary>The port the finger gateway bound (useful with <c>FingerGateway:Port</c> = 0); the gateway listens first.</summary>
    public static int GetFingerGatewayPort(this WebApplication app) =>
        BoundPorts.First(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>(), "finger gateway");
}
