using Zuul.LiveLog.Streams;
using Zuul.LiveLog.Finger;
using Orleans.Dashboard;
using Orleans.Hosting;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Hosting.Connections;
using Zuul.LiveLog.ZooKeeper.Orleans;
using Zuul.LiveLog.Hosting.Telemetry;
using Zuul.LiveLog.WebFrontend.Auth;
using Zuul.LiveLog.WebFrontend.Security;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>Builds the web frontend: console-stream websocket, JSON API, build events, the console pages and the Orleans dashboard.</summary>
public static class WebFrontendApp
{
    /// <summary>Where the Orleans dashboard is served.</summary>
    public const string DashboardPath = "/dashboard";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root next to the binaries, so wwwroot is found wherever the process is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddConsoleLogDefaults();
        configure?.Invoke(builder);
        builder.AddZuulClusterClient(client =>
        {
            client.AddMemoryStreams(BuildEvents.StreamProvider, streams => streams.ConfigurePartitioning(BuildEvents.Queues));
            client.AddDashboard();
        });
        var connector = new FingerConnectorOptions();
        builder.Configuration.GetSection("FingerClient").Bind(connector);
        var settingErrors = new List<string>();
        var telemetry = TelemetrySettings.Read(builder.Configuration, settingErrors);
        var keepAlive = TcpKeepAliveSettings.Read(builder.Configuration, settingErrors);
        var consoleStreams = ConsoleStreamOptions.Read(builder.Configuration, settingErrors);
        var sharing = builder.Configuration.ReadSharedStreamOptions(settingErrors);
        connector.KeepAlive = keepAlive;
        builder.AddZuulAuth(settingErrors);
        var security = new WebSecuritySettings();
        builder.Configuration.GetSection(WebSecuritySettings.SectionName).Bind(security);
        var publicUrls = builder.Configuration[WebHostDefaults.ServerUrlsKey];
        settingErrors.AddRange(WebSecurityValidation.Validate(security, publicUrls));
        StartupValidation.ThrowIfInvalid("web", [
            .. settingErrors,
            .. FingerConnectorValidation.Validate("FingerClient", connector),
            .. builder.Configuration[ClusterBuildEventSubscription.CheckIntervalKey] is { Length: > 0 } check
               && (!TimeSpan.TryParse(check, System.Globalization.CultureInfo.InvariantCulture, out var interval) || interval <= TimeSpan.Zero)
                ? [$"{ClusterBuildEventSubscription.CheckIntervalKey} must be a positive time span such as 00:00:30 (got '{check}')."] : Array.Empty<string>(),
        ]);
        builder.AddZuulTelemetry(ComponentIdentity.Web, telemetry);
        if (security.AdminUrls is { Length: > 0 } adminUrls)
        {
            // Kestrel binds URLs or code-configured endpoints, never both: bind the public URLs here too.
            builder.WebHost.UseSetting(WebHostDefaults.ServerUrlsKey, string.Empty);
            builder.WebHost.ConfigureKestrel(k => Listeners.Bind(k, publicUrls is { Length: > 0 } ? publicUrls : Listeners.DefaultUrls, adminUrls));
        }

        builder.Services.AddSingleton(security);
        builder.Services.AddSingleton<OriginCheck>();
        builder.Services.AddSingleton<StreamRateLimits>();
        builder.Services.AddSingleton(new FingerConnector(connector));
        builder.Services.AddSingleton(consoleStreams);
        builder.Services.AddSingleton(sp => new ConnectionLimiter("console-stream websocket", consoleStreams.Limits, sp.GetRequiredService<ZuulMetrics>(),
            new RefusalLog(sp.GetRequiredService<ILogger<ConnectionLimiter>>(), TimeProvider.System, RefusalLog.DefaultInterval)));
        // Keepalive on every accepted connection: a browser that vanished without a reset ends its websocket's relay.
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen => listen.Use(next => connection =>
        {
            if (connection.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket is { } socket)
            {
                TcpKeepAlive.Apply(socket, keepAlive);
            }

            return next(connection);
        })));
        builder.Services.AddSingleton<BuildStreamOpener>();
        builder.Services.AddSingleton<StreamResumer>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSharedStreams(sharing);
        builder.Services.AddSingleton<ConsoleStreamHandler>();
        builder.Services.AddSingleton<BuildLogEndpoint>();
        builder.Services.AddSingleton<BuildEventHub>();
        if (builder.Configuration["ZooKeeper:ConnectionString"] is { Length: > 0 })
        {
            // Every zone is its own cluster: the list and its events come from the records all zones write to ZooKeeper.
            builder.Services.AddSingleton<FingerGatewayWatcher>();
            builder.Services.AddSingleton<ZooKeeperBuildCatalog>();
            builder.Services.AddSingleton<IBuildList>(sp => sp.GetRequiredService<ZooKeeperBuildCatalog>());
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ZooKeeperBuildCatalog>());
        }
        else
        {
            builder.Services.AddSingleton<IBuildList, ClusterBuildList>();
            builder.Services.AddSingleton<ClusterBuildEventSubscription>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<ClusterBuildEventSubscription>());
        }

        var app = builder.Build();
        // Event streams never end by themselves: end them as soon as stopping begins, so the server does not
        // wait its whole shutdown timeout for them.
        app.Lifetime.ApplicationStopping.Register(() => app.Services.GetRequiredService<BuildEventHub>().CompleteAll());
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.UseZuulAuthentication();
        OriginCheck.UseOriginCheck(app);
        StreamRateLimits.UseStreamRateLimits(app);
        // The dashboard's pages and API (hosts, ports, silo internals, a live trace of requests) exist only on the admin listener.
        app.UseWhen(
            context => context.Request.Path.StartsWithSegments(DashboardPath) && !Listeners.IsAdminConnection(context),
            refused => refused.Run(context => ApiResults.NotFound("Not found.").ExecuteAsync(context)));
        app.Map("/api/tenant/{tenant}/console-stream", (HttpContext context, string tenant, ConsoleStreamHandler handler) => handler.HandleAsync(context, tenant))
            .WithMetadata(new StreamEndpointMetadata());
        app.MapGet("/api/tenant/{tenant}/build/{uuid}/log", (HttpContext context, string tenant, string uuid, BuildLogEndpoint log) => log.HandleAsync(context, tenant, uuid))
            .WithMetadata(new StreamEndpointMetadata());
        app.MapTenantsApi();
        app.MapBuildEvents().WithMetadata(new StreamEndpointMetadata());
        app.MapZonesApi();
        app.MapOrleansDashboard(routePrefix: DashboardPath);
        app.MapZuulHealth();
        app.MapZuulMetrics();
        // Zuul's page URLs carry the tenant; the pages read it (and the uuid) from the path.
        app.MapGet("/auth/callback", () => Results.File(Path.Combine(app.Environment.WebRootPath, "callback.html"), "text/html"));
        app.MapGet("/t/{tenant}/builds", () => Results.File(Path.Combine(app.Environment.WebRootPath, "builds.html"), "text/html"));
        app.MapGet("/t/{tenant}/stream/{uuid}", () => Results.File(Path.Combine(app.Environment.WebRootPath, "stream.html"), "text/html"));
        return app;
    }
}
