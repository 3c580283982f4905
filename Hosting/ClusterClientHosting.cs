using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Zuul.LiveLog.Hosting.OrleansTls;
using Zuul.LiveLog.Hosting.Telemetry;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Hosting;

/// <summary>Makes a process (web frontend, executor) an Orleans client of the Orleans.Zuul cluster.</summary>
public static class ClusterClientHosting
{
    /// <param name="configure">Extra client wiring of the caller (e.g. stream providers, the dashboard).</param>
    public static IHostApplicationBuilder AddZuulClusterClient(this IHostApplicationBuilder builder, Action<IClientBuilder>? configure = null)
    {
        var settings = ClusterSettings.FromConfiguration(builder.Configuration);
        var tls = OrleansTlsSettings.FromConfiguration(builder.Configuration);
        StartupValidation.ThrowIfInvalid("cluster", [.. settings.Validate(), .. ZooKeeperSettings.Validate(builder.Configuration), .. tls.Validate()]);
        builder.Services.AddSingleton(settings);
        builder.UseOrleansClient(client =>
        {
            client.Configure<ClusterOptions>(o =>
            {
                o.ClusterId = settings.OrleansClusterId;
                o.ServiceId = settings.ServiceId;
            });
            if (settings.ZooKeeperConnectionString is null)
            {
                client.UseLocalhostClustering(settings.GatewayPort, settings.ServiceId, settings.ClusterId);
            }
            else
            {
                var configuration = builder.Configuration;
                client.UseZooKeeperClustering(
                    o => ZooKeeperSettings.Bind(configuration, o),
                    c =>
                    {
                        c.Zone = settings.Zone;
                        configuration.GetSection("ZooKeeper:Clustering").Bind(c);
                    });
            }

            client.UseZuulTls(tls);
            client.Services.AddZuulExceptionSerialization();

            if (TelemetrySettings.TracingConfigured(builder.Configuration))
            {
                // Grain calls carry this process's trace context to the silo (README "Traces").
                client.AddActivityPropagation();
            }

            configure?.Invoke(client);
        });
        return builder;
    }
}
