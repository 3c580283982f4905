using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Dashboard;
using Orleans.Zuul.Finger;
using Orleans.Zuul.Finger.Tls;
using Orleans.Zuul.Grains;
using Orleans.Zuul.Hosting;

namespace Orleans.Zuul.Silo;

/// <summary>Builds a zone's silo: Orleans with the grains, plus the zone's finger gateway.</summary>
public static class SiloApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateSlimBuilder(args);
        configure?.Invoke(builder);
        var cluster = ClusterSettings.FromConfiguration(builder.Configuration);
        var gateway = new FingerGatewayOptions();
        builder.Configuration.GetSection(FingerGatewayOptions.Section).Bind(gateway);
        var errors = cluster.Validate().Concat(FingerGatewayValidation.Validate(gateway)).ToList();
        StartupValidation.ThrowIfInvalid("silo", errors);

        builder.Services.AddSingleton(cluster);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddOptions<FingerGatewayOptions>().BindConfiguration(FingerGatewayOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<FingerGatewayOptions>, FingerGatewayOptionsValidator>();
        builder.Services.AddSingleton<GatewayLifecycle>();
        builder.Services.AddSingleton(new FingerConnector(new FingerConnectorOptions
        {
            ConnectTimeout = gateway.ConnectTimeout,
            Tls = gateway.Tls,
            Hosts = gateway.Hosts,
            LocalAddress = gateway.LocalAddress,
        }));
        builder.Services.AddSingleton<BuildStreamOpener>();

        builder.UseOrleans(silo =>
        {
            silo.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = cluster.ClusterId;
                o.ServiceId = cluster.ServiceId;
            });
            // The silo's name carries its zone, so the dashboard's silo list shows where each silo stands.
            silo.Configure<SiloOptions>(o => o.SiloName = $"{cluster.Zone ?? "unzoned"}-{Environment.MachineName}-{cluster.SiloPort}");
            if (cluster.ZooKeeperConnectionString is not null)
            {
                throw new OptionsStartupException(["ZooKeeper:ConnectionString is set, but ZooKeeper clustering is not available in this build; remove it to use the embedded localhost clustering."]);
            }

            silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, cluster.PrimarySiloEndpoint, cluster.ServiceId, cluster.ClusterId);
            silo.AddMemoryGrainStorage(StorageNames.Builds);
            // Build lifecycle events for the web console (BuildEvents); pub-sub state for the stream's subscribers.
            silo.AddMemoryStreams(BuildEvents.StreamProvider, streams => streams.ConfigurePartitioning(BuildEvents.Queues));
            silo.AddMemoryGrainStorage("PubSubStore");
            // Grain statistics for the Orleans dashboard, which the web frontend serves under /dashboard.
            silo.AddDashboard();
        });

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            if (gateway.Enabled)
            {
                kestrel.Listen(IPAddress.Parse(gateway.ListenAddress), gateway.Port, listen =>
                {
                    listen.Protocols = HttpProtocols.None;
                    if (gateway.Tls.ListenerTls)
                    {
                        var tls = new TlsServerMiddleware(gateway.Tls, kestrel.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger<FingerGatewayConnectionHandler>());
                        listen.Use(next => context => tls.OnConnectionAsync(context, next));
                    }

                    listen.UseConnectionHandler<FingerGatewayConnectionHandler>();
                });
            }
        });
        if (gateway.Enabled)
        {
            builder.Services.AddHostedService<GatewayRegistrationService>();
        }

        return builder.Build();
    }

    /// <summary>The port the finger gateway bound (useful with <c>FingerGateway:Port</c> = 0).</summary>
    public static int GetFingerGatewayPort(this WebApplication app) =>
        ServerPorts.Bound(app.Services.GetRequiredService<Microsoft.AspNetCore.Hosting.Server.IServer>()).First();
}
