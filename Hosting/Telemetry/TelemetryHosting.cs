using System.Diagnostics.Metrics;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>
/// OpenTelemetry for a component: metrics (ours, Orleans', the .NET runtime's, ASP.NET Core's and Kestrel's) served in
/// Prometheus' text format at <c>/metrics</c>; traces over OTLP when <c>Telemetry:Otlp:Endpoint</c> is set.
/// </summary>
public static class TelemetryHosting
{
    /// <summary>Orleans' meter: grain calls, activations, messaging, membership.</summary>
    public const string OrleansMeter = "Microsoft.Orleans";

    private static readonly string Version =
        typeof(TelemetryHosting).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0";

    /// <summary>
    /// Registers <see cref="ZuulMetrics"/> for a process of <paramref name="role"/> (its zone is <c>Zone</c>) and the
    /// OpenTelemetry pipeline. <paramref name="settings"/> come from <see cref="TelemetrySettings.Read"/>, validated
    /// with the component's other settings.
    /// </summary>
    public static ComponentIdentity AddZuulTelemetry(this IHostApplicationBuilder builder, string role, TelemetrySettings settings)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        var identity = ComponentIdentity.For(role, builder.Configuration["Zone"]);
        builder.Services.AddSingleton(identity);
        builder.Services.AddSingleton<ZuulMetrics>();
        builder.Services.AddHostedService<ObservedInstruments>();
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService("orleans-zuul-" + role, serviceVersion: Version)
                .AddAttributes([new(ZuulMetrics.ZoneAttribute, identity.Zone), new(ZuulMetrics.RoleAttribute, identity.Role)]))
            .WithMetrics(metrics => metrics
                .AddMeter(ZuulMetrics.MeterName, OrleansMeter)
                .AddOwnMetersOnly()
                .AddRuntimeInstrumentation()
                .AddAspNetCoreInstrumentation()
                .AddPrometheusExporter());
        if (settings.OtlpEndpoint is { } endpoint)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(ZuulTracing.SourceName)
                .AddSource(ZuulTracing.OrleansSources)
                // Scrapes and health probes every few seconds would bury the streams.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsOperational(context.Request.Path))
                .AddOtlpExporter(o =>
                {
                    o.Endpoint = endpoint;
                    o.Protocol = settings.OtlpProtocol;
                }));
        }

        return identity;
    }

    /// <summary>Maps <c>GET /metrics</c> (Prometheus text format).</summary>
    public static IEndpointConventionBuilder MapZuulMetrics(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        return endpoints.MapPrometheusScrapingEndpoint("/metrics");
    }

    /// <summary>
    /// A view that drops instruments of meters made by another host's <see cref="IMeterFactory"/>. A provider listens
    /// by meter name, process-wide: where several hosts share a process (the test suite) it would otherwise take in
    /// every host's "Orleans.Zuul" instruments, merge identical ones into one stream, and lose that stream when any of
    /// those hosts is disposed. Static meters (Orleans', the runtime's) have no factory and stay.
    /// </summary>
    private static MeterProviderBuilder AddOwnMetersOnly(this MeterProviderBuilder metrics)
    {
        // Views cannot ask the container; the host's factory is taken from it while the provider is built (an
        // "instrumentation" factory runs then), before the provider's listener sees any instrument.
        IMeterFactory? own = null;
        return metrics
            .AddInstrumentation(services => own = services.GetRequiredService<IMeterFactory>())
            .AddView(instrument => instrument.Meter.Scope is IMeterFactory factory && !ReferenceEquals(factory, own ?? factory)
                ? MetricStreamConfiguration.Drop
                : null);
    }

    private static bool IsOperational(PathString path) =>
        path.StartsWithSegments("/metrics", StringComparison.Ordinal) || path.StartsWithSegments("/healthz", StringComparison.Ordinal);
}
