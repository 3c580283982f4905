using Zuul.LiveLog.Streams;
using Zuul.LiveLog.Finger;
using Orleans.Dashboard;
using Orleans.Hosting;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Hosting.Connections;
using Zuul.LiveLog.ZooKeeper.Orleans;
using Zuul.LiveLog.Hosting.Telemetry;

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
        connector.KeepAlive = keepAlive;
        StartupValidation.ThrowIfInvalid("web", [
            .. settingErrors,
            .. FingerConnectorValidation.Validate("FingerClient", connector),
            .. builder.Configuration[ClusterBuildEventSubscription.CheckIntervalKey] is { Length: > 0 } check
               && (!TimeSpan.TryParse(check, System.Globalization.CultureInfo.InvariantCulture, out var interval) || interval <= TimeSpan.Zero)
                ? [$"{ClusterBuildEventSubscription.CheckIntervalKey} must be a positive time span such as 00:00:30 (got '{check}')."] : Array.Empty<string>(),
        ]);
        builder.AddZuulTelemetry(ComponentIdentity.Web, telemetry);
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
        builder.Services.AddSingleton<ConsoleStreamHandler>();
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
        app.Map("/api/tenant/{tenant}/console-stream", (HttpContext context, string tenant, ConsoleStreamHandler handler) => handler.HandleAsync(context, tenant));
        app.MapBuildsApi();
        app.MapBuildEvents();
        app.MapZonesApi();
        app.MapOrleansDashboard(routePrefix: DashboardPath);
        app.MapZuulHealth();
        app.MapZuulMetrics();
        // Zuul's deep link to a build's log; the page itself reads the uuid from the path.
        app.MapGet("/t/{tenant}/stream/{uuid}", () => Results.File(Path.Combine(app.Environment.WebRootPath, "stream.html"), "text/html"));
        return app;
    }
}
