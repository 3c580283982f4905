using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Hosting;

/// <summary>The health report of <c>/healthz</c>: ZooKeeper session (when configured) and the Orleans cluster.</summary>
public sealed record HealthReport(
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("zookeeper")] string ZooKeeper,
    [property: JsonPropertyName("cluster")] string Cluster,
    [property: JsonPropertyName("active_silos")] int ActiveSilos);

[JsonSerializable(typeof(HealthReport))]
internal sealed partial class HealthJson : JsonSerializerContext;

public static class ZuulHealth
{
    private static readonly TimeSpan ClusterProbeTimeout = TimeSpan.FromSeconds(3);

    /// <summary>
    /// Maps <c>GET /healthz</c>: 200 when ZooKeeper (if configured) is connected and the cluster answers, else 503.
    /// <c>zookeeper</c> is <c>connected</c>, <c>suspended</c>, <c>expired</c>, ..., or <c>not-configured</c>;
    /// <c>cluster</c> is <c>ok</c>, <c>no-active-silo</c>, <c>unreachable: ...</c>, <c>grain-calls-failing: ...</c> (a silo
    /// whose <see cref="IHealthProbe"/>, a grain call reading grain storage, failed or took longer than 3 s), or
    /// <c>not-configured</c> (an executor without a cluster).
    /// </summary>
    public static IEndpointConventionBuilder MapZuulHealth(this IEndpointRouteBuilder endpoints, string pattern = "/healthz")
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapGet(pattern, async (HttpContext context) =>
        {
            var report = await CheckAsync(context.RequestServices, context.RequestAborted);
            return Results.Json(report, HealthJson.Default.HealthReport, statusCode: report.Status == "healthy" ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
        });
    }

    public static async Task<HealthReport> CheckAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(services);
        var zk = services.GetService<ZooKeeperConnection>();
        var zkState = zk is null ? "not-configured" : zk.State?.ToString().ToLowerInvariant() ?? "connecting";
        var zkOk = zk is null || zk.IsConnected;
        string cluster = "unreachable";
        var silos = 0;
        if (services.GetService<IGrainFactory>() is not { } grains)
        {
            // An executor that does not register builds (Executor:RegisterBuilds=false) has no cluster to ask.
            cluster = "not-configured";
        }
        else
        {
            try
            {
                var hosts = await grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(ClusterProbeTimeout, cancellationToken);
                silos = hosts.Count;
                cluster = silos > 0 ? "ok" : "no-active-silo";
                if (silos > 0 && services.GetService<IHealthProbe>() is { } probe)
                {
                    cluster = "grain-calls-failing";
                    await probe.ProbeAsync().WaitAsync(ClusterProbeTimeout, cancellationToken);
                    cluster = "ok";
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                cluster = (cluster == "grain-calls-failing" ? "grain-calls-failing: " : "unreachable: ") + ex.GetType().Name;
            }
        }

        var healthy = zkOk && cluster is "ok" or "not-configured";
        return new HealthReport(healthy ? "healthy" : "unhealthy", zkState, cluster, silos);
    }
}
