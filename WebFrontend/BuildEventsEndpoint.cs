using System.Text.Json;
using System.Threading.Channels;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// <c>GET /api/tenant/{tenant}/builds/events</c>: the tenant's build started/finished events as server-sent events
/// (never another tenant's builds).
/// </summary>
public static class BuildEventsEndpoint
{
    /// <summary>A comment line this often keeps proxies and the browser from closing an idle stream.</summary>
    internal static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(15);

    public static RouteHandlerBuilder MapBuildEvents(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/tenant/{tenant}/builds/events", StreamAsync);

    private static async Task StreamAsync(HttpContext context, string tenant, BuildEventHub hub, Auth.TenantAccess access)
    {
        if (TenantsApi.Refuse(context, tenant) is { } refused)
        {
            await refused.ExecuteAsync(context);
            return;
        }

        var admin = access.IsAdmin(context.User);
        var response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        using var listener = hub.Listen(tenant);
        var aborted = context.RequestAborted;
        try
        {
            // The browser reconnects after 3 s when the stream ends; the comment opens the stream at once.
            await response.WriteAsync("retry: 3000\n: listening for build events\n\n", aborted);
            await response.Body.FlushAsync(aborted);
            while (true)
            {
                using var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted);
                idle.CancelAfter(KeepAlive);
                bool more;
                try
                {
                    more = await listener.Events.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
                {
                    await response.WriteAsync(": keep-alive\n\n", aborted);
                    await response.Body.FlushAsync(aborted);
                    continue;
                }

                if (!more)
                {
                    return;
                }

                while (listener.Events.TryRead(out var e))
                {
                    var json = JsonSerializer.Serialize(BuildEventView.From(e, admin), ApiJson.Default.BuildEventView);
                    await response.WriteAsync($"event: build\ndata: {json}\n\n", aborted);
                }

                await response.Body.FlushAsync(aborted);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ChannelClosedException)
        {
            // The browser left, the listener fell behind, or the server is stopping: the browser reconnects.
        }
    }
}
