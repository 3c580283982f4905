namespace Zuul.LiveLog.WebFrontend.Security;

/// <summary>Marks an endpoint that opens a stream: the Origin check and the stream-open rate limit apply to it.</summary>
public sealed class StreamEndpointMetadata;

/// <summary>
/// Refuses a stream (websocket, event stream) opened by a page of another origin: same origin by default, plus
/// <see cref="WebSecuritySettings.AllowedOrigins"/>. Without this any site could open a reader's websocket with the
/// reader's cookies (cross-site websocket hijacking) once a login cookie sits in front of the frontend. Requests
/// without an Origin header are not from a page (curl, websocat, finger-like scripts) and pass.
/// </summary>
public sealed partial class OriginCheck(WebSecuritySettings settings, ILogger<OriginCheck> logger)
{
    private readonly HashSet<string> _allowed = new(settings.AllowedOrigins, StringComparer.OrdinalIgnoreCase);

    private ILogger Logger => logger;

    public bool Allows(HttpContext context)
    {
        var origin = context.Request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        var own = $"{context.Request.Scheme}://{context.Request.Host}";
        return string.Equals(origin, own, StringComparison.OrdinalIgnoreCase) || _allowed.Contains(origin);
    }

    /// <summary>The middleware: 403 and one log line for a refused origin.</summary>
    public static IApplicationBuilder UseOriginCheck(IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<StreamEndpointMetadata>() is not null)
        {
            var check = context.RequestServices.GetRequiredService<OriginCheck>();
            if (!check.Allows(context))
            {
                LogWarningRefused(check.Logger, context.Request.Headers.Origin.ToString(), context.Request.Path, context.Connection.RemoteIpAddress?.ToString() ?? "?");
                await ApiResults.Forbidden("This page's origin may not open streams here.").ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    });

    [LoggerMessage(430, LogLevel.Warning, "Refused a stream from origin {Origin} to {Path} (client {Client}): not this frontend's origin nor in Web:AllowedOrigins")]
    private static partial void LogWarningRefused(ILogger logger, string origin, string path, string client);
}
