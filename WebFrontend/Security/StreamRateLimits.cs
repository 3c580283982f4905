using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace Zuul.LiveLog.WebFrontend.Security;

/// <summary>
/// Stream opens per client address (ASP.NET Core rate limiting): each open may cost an upstream connection through
/// the gateways, so one client must not exhaust them. Over the limit: 429 before any websocket upgrade.
/// </summary>
public static partial class StreamRateLimits
{
    public const string Policy = "stream-opens";

    public static IServiceCollection AddStreamRateLimits(this IServiceCollection services, WebSecuritySettings settings) =>
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.AddPolicy(Policy, context => RateLimitPartition.GetFixedWindowLimiter(
                context.Connection.RemoteIpAddress?.ToString() ?? "unknown",
                _ => new FixedWindowRateLimiterOptions { PermitLimit = settings.StreamOpenLimit, Window = settings.StreamOpenWindow, QueueLimit = 0 }));
            o.OnRejected = async (rejected, cancellationToken) =>
            {
                var context = rejected.HttpContext;
                var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StreamRateLimits));
                LogWarningLimited(logger, context.Connection.RemoteIpAddress?.ToString() ?? "?", context.Request.Path, settings.StreamOpenLimit, settings.StreamOpenWindow);
                if (rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry))
                {
                    context.Response.Headers.RetryAfter = ((int)Math.Ceiling(retry.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
                }

                await ApiResults.TooManyRequests("Too many streams opened from your address; try again shortly.").ExecuteAsync(context);
            };
        });

    [LoggerMessage(431, LogLevel.Warning, "Client {Client} over the stream-open limit ({Limit} per {Window}) at {Path}: 429")]
    private static partial void LogWarningLimited(ILogger logger, string client, string path, int limit, TimeSpan window);
}
