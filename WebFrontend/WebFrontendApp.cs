using Orleans.Zuul.Finger;
using Orleans.Zuul.Finger.Tls;
using Orleans.Zuul.Hosting;

namespace Orleans.Zuul.WebFrontend;

/// <summary>Builds the web frontend: console-stream websocket, JSON API and the console page.</summary>
public static class WebFrontendApp
{
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        // Content root next to the binaries, so wwwroot is found wherever the process is started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        configure?.Invoke(builder);
        builder.AddZuulClusterClient();
        var connector = new FingerConnectorOptions();
        builder.Configuration.GetSection("FingerClient").Bind(connector);
        StartupValidation.ThrowIfInvalid("web", [
            .. FingerTlsValidation.Validate(connector.Tls, "FingerClient:Tls"),
            .. connector.LocalAddress is { Length: > 0 } local && !System.Net.IPAddress.TryParse(local, out _)
                ? [$"FingerClient:LocalAddress '{local}' is not an IP address."] : Array.Empty<string>(),
        ]);
        builder.Services.AddSingleton(new FingerConnector(connector));
        builder.Services.AddSingleton<BuildStreamOpener>();
        builder.Services.AddSingleton<ConsoleStreamHandler>();

        var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.Map("/api/tenant/{tenant}/console-stream", (HttpContext context, string tenant, ConsoleStreamHandler handler) => handler.HandleAsync(context, tenant));
        app.MapBuildsApi();
        app.MapZuulHealth();
        // Zuul's deep link to a build's log; the page itself reads the uuid from the path.
        app.MapGet("/t/{tenant}/stream/{uuid}", () => Results.File(Path.Combine(app.Environment.WebRootPath, "stream.html"), "text/html"));
        return app;
    }
}
