using System.Globalization;
using System.Threading.RateLimiting;

namespace Zuul.LiveLog.WebFrontend.Security;

/// <summary>
/// Stream opens per client address: each open may cost an upstream connection through the gateways, so one client
/// must not exhaust them. Over the limit: 429 with <c>Retry-After</c>, before any websocket upgrade.
/// </summary>
/// <remarks>
/// A singleton the container disposes, rather than ASP.NET Core's rate-limiting middleware: that middleware builds its
/// partitioned limiter itself and never disposes it, and the limiter's replenishing timer then keeps the whole
/// application (its Orleans client, its meters) alive after the host is disposed. One process runs one frontend in
/// production, but the test suite runs dozens in one process and every one of them stayed in memory.
/// </remarks>
public sealed partial class StreamRateLimits(WebSecuritySettings settings, ILogger<StreamRateLimits> logger) : IDisposable
{
    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
        RateLimitPartition.GetFixedWindowLimiter(
            context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
            _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.StreamOpenLimit, Window = settings.StreamOpenWindow, QueueLimit = 0 }));

    public void Dispose() => _limiter.Dispose();

    /// <summary>The middleware: applies to endpoints marked with <see cref="StreamEndpointMetadata"/>.</summary>
    public static IApplicationBuilder UseStreamRateLimits(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<StreamEndpointMetadata>() is null)
        {
            await next(context);
            return;
        }

        var limits = context.RequestServices.GetRequiredService<StreamRateLimits>();
        // A fixed window's permit is not given back: disposing the lease at once is how the window counts the open.
        using var lease = limits._limiter.AttemptAcquire(context);
        if (lease.IsAcquired)
        {
            await next(context);
            return;
        }

        LogWarningLimited(limits.Logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", context.Request.Path, limits.Settings.StreamOpenLimit, limits.Settings.StreamOpenWindow);
        if (lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
        {
            context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
        }

        await ApiResults.TooManyRequests("Too many streams opened from your address; try again shortly.").ExecuteAsync(context);
    });

    private ILogger Logger => logger;

    private WebSecuritySettings Settings => settings;

    [LoggerMessage(431, LogLevel.Warning, "Client {Client} over the stream-open limit ({Limit} per {Window}) at {Path}: 429")]
    private static partial void LogWarningLimited(ILogger logger, string client, string path, int limit, TimeSpan window);
}
