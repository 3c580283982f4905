using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Security.Claims;
using System.Text.Unicode;
using Zuul.LiveLog.Streams;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Finger.Sharing;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Hosting.Connections;
using Zuul.LiveLog.Hosting.Telemetry;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.WebFrontend.Auth;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// Zuul's console-stream websocket: the first message names the build, then the log arrives as text
/// messages (never splitting a UTF-8 character) until the build ends, then a normal close. With shared streams (the
/// default) every page of a build reads the one upstream this web frontend holds for it.
/// </summary>
public sealed partial class ConsoleStreamHandler(
    BuildStreamOpener opener,
    SharedStreamHub streams,
    StreamResumer resumer,
    IGrainFactory grains,
    TenantAccess access,
    BearerTokens tokens,
    IHostApplicationLifetime lifetime,
    ZuulMetrics metrics,
    ILogger<ConsoleStreamHandler> logger,
    ConsoleStreamOptions options,
    ConnectionLimiter limiter)
{
    public const int CloseBadRequest = 4000;
    public const int CloseStreamFailure = 4011;

    /// <summary>Too many console streams, in all or from the client's address (RFC 6455's "try again later").</summary>
    public const int CloseTryAgainLater = 1013;

    /// <summary>The tenant requires authentication and no valid token came (PROTOCOL.md section 6), like HTTP 401.</summary>
    public const int CloseUnauthorized = 4001;

    /// <summary>The token is valid but does not allow reading this tenant, like HTTP 403.</summary>
    public const int CloseForbidden = 4003;

    /// <summary>An internal error (PROTOCOL.md section 6): the cluster could not be asked, or the handler failed.</summary>
    public const int CloseInternalError = (int)WebSocketCloseStatus.InternalServerError;

    private const int MaxRequestBytes = 4096;

    public async Task HandleAsync(HttpContext context, string tenant)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsJsonAsync(new ApiError("This endpoint only speaks websocket."), ApiJson.Default.ApiError);
            return;
        }

        if (!TenantName.IsValid(tenant))
        {
            await ApiResults.BadRequest($"'{ApiResults.Quote(tenant)}' is not a valid tenant name ({TenantName.Rule}).").ExecuteAsync(context);
            return;
        }

        if (context.Features.Get<TokenCheckFeature>()?.Check.Failure is not null && ReadGate.Check(context, tenant) is { } refused)
        {
            // A token in the Authorization header (non-browser clients) that is not valid, for a protected tenant: refused before the upgrade.
            await refused.ExecuteAsync(context);
            return;
        }

        using var lease = limiter.TryAcquire(context.Connection.RemoteIpAddress, out var refusedBy);
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        if (lease is null)
        {
            // Accepted only to say why: a browser cannot read the status of a refused upgrade.
            var pending = socket.ReceiveAsync(new ArraySegment<byte>(new byte[256]), context.RequestAborted);
            await CloseAsync(socket, CloseTryAgainLater, refusedBy == ConnectionLimit.Listener
                ? "Too many console streams, try again later."
                : "Too many console streams from your address, try again later.");
            await WaitForCloseReplyAsync(pending);
            return;
        }

        try
        {
            await StreamAsync(socket, tenant, context.User, context.RequestAborted);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever went wrong, the page gets a close with a reason rather than a dropped connection.
            LogErrorInternal(logger, tenant, ex);
            await CloseAsync(socket, CloseInternalError, "Internal error.");
        }
    }

    private async Task StreamAsync(WebSocket socket, string tenant, ClaimsPrincipal user, CancellationToken aborted)
    {
        // The request is awaited, not cancelled, at the timeout: cancelling a pending websocket receive aborts the
        // socket (a TCP reset at the client) before the 4000 close could be sent.
        var receive = ReceiveRequestAsync(socket, aborted);
        await Task.WhenAny(receive, Task.Delay(options.ConsoleStreamRequestTimeout, aborted));
        var first = receive.IsCompletedSuccessfully ? receive.Result : null;
        if (first is null)
        {
            if (aborted.IsCancellationRequested)
            {
                return;
            }

            metrics.Rejected(StreamRejection.RequestTimeout);
            await CloseAsync(socket, CloseBadRequest, receive.IsCompleted
                ? "The request was too long, or the client closed before sending it."
                : "No request received in time.");
            // The pending receive reads the client's close reply.
            await WaitForCloseReplyAsync(receive);
            return;
        }

        var requestedAt = Stopwatch.GetTimestamp();
        var request = ConsoleStreamRequest.TryParse(first, out var error);
        if (request is null)
        {
            LogInformationBadRequest(logger, tenant, error);
            metrics.Rejected(StreamRejection.InvalidRequest);
            await CloseAsync(socket, CloseBadRequest, error);
            return;
        }

        if (!await MayReadAsync(socket, tenant, user, request))
        {
            return;
        }

        // A child of the ASP.NET Core request's span; the hop behind it starts a trace of its own (README "Traces").
        using var activity = ZuulTracing.StartStream("console stream", ActivityKind.Internal, request.Uuid, StreamHop.Websocket);
        if (streams.Enabled)
        {
            await StreamSharedAsync(socket, tenant, request, activity, requestedAt, aborted);
            return;
        }

        await using var opened = new OpenedStreamScope(await opener.OpenAsync(request.Uuid, aborted));
        if (!opened.Value.Ok)
        {
            LogInformationStreamRefused(logger, tenant, request.Uuid, opened.Value.Failure);
            metrics.Rejected(opened.Value.Failure.ToRejection(), activity);
            var code = opened.Value.Failure == StreamFailure.ResolutionFailed ? CloseInternalError : CloseStreamFailure;
            await CloseAsync(socket, code, opened.Value.Message.TrimEnd());
            return;
        }

        LogInformationStreamStarted(logger, tenant, request.Uuid, opened.Value.Target!);
        var meter = metrics.StartStream(StreamHop.Websocket, requestedAt);
        var end = StreamEnd.Error;
        try
        {
            end = await RelayAsync(socket, opened.Value, request, tenant, meter, aborted);
        }
        finally
        {
            meter.End(end);
            ZuulTracing.Ended(activity, end, meter.Bytes);
        }
    }

    /// <summary>
    /// Checks the reader (header token, else the request's token) against the tenant's rules, and that the build is
    /// the tenant's; closes the socket and returns false otherwise. Runs before the upstream is opened, so a refused
    /// reader receives no byte of the log. Another tenant's build is "not found", exactly like an unknown one.
    /// </summary>
    private async Task<bool> MayReadAsync(WebSocket socket, string tenant, ClaimsPrincipal user, ConsoleStreamRequest request)
    {
        if (user.Identity?.IsAuthenticated != true && request.Token is { } token)
        {
            var check = await tokens.ValidateAsync(token);
            if (check.User is null)
            {
                LogInformationRefused(logger, tenant, request.Uuid, check.Failure!);
                metrics.Rejected(StreamRejection.ClientNotAllowed);
                await CloseAsync(socket, CloseUnauthorized, check.Failure!);
                return false;
            }

            user = check.User;
        }

        switch (access.CanRead(user, tenant))
        {
            case ReadDecision.LoginRequired:
                LogInformationRefused(logger, tenant, request.Uuid, "no token");
                metrics.Rejected(StreamRejection.ClientNotAllowed);
                await CloseAsync(socket, CloseUnauthorized, $"Tenant {tenant} requires authentication: log in.");
                return false;
            case ReadDecision.Forbidden:
                LogInformationRefused(logger, tenant, request.Uuid, "token not allowed for the tenant");
                metrics.Rejected(StreamRejection.ClientNotAllowed);
                await CloseAsync(socket, CloseForbidden, $"Your token does not allow reading tenant {tenant}.");
                return false;
        }

        BuildInfo? build;
        try
        {
            build = await grains.GetGrain<IBuildGrain>(request.Uuid).GetAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The cluster could not be asked: not the build's fault, and said the way the opener says it.
            LogErrorInternal(logger, tenant, ex);
            metrics.Rejected(StreamFailure.ResolutionFailed.ToRejection());
            await CloseAsync(socket, CloseInternalError, FingerErrors.ResolutionFailed(request.Uuid).TrimEnd());
            return false;
        }

        if (build is not null && build.Tenant == tenant)
        {
            return true;
        }

        LogInformationStreamRefused(logger, tenant, request.Uuid, StreamFailure.BuildNotFound);
        metrics.Rejected(StreamFailure.BuildNotFound.ToRejection());
        await CloseAsync(socket, CloseStreamFailure, FingerErrors.BuildNotFound(request.Uuid).TrimEnd());
        return false;
    }

    /// <summary>
    /// Pumps the log into the websocket until the build ends, resuming from another upstream when one fails mid-stream,
    /// and closes the socket as the stream ended (PROTOCOL.md section 6): 1000 only for a finished build whose every
    /// byte was sent, 4011 when the stream failed and could not be resumed, 1001 when this server stops.
    /// </summary>
    private async Task<StreamEnd> RelayAsync(WebSocket socket, OpenedStream opened, ConsoleStreamRequest request, string tenant, StreamMeter meter, CancellationToken aborted)
    {
        // Stopping the server ends the stream with 1001 (going away): the page reconnects by offset, to us later or to another frontend.
        using var clientGoneCts = CancellationTokenSource.CreateLinkedTokenSource(aborted, lifetime.ApplicationStopping);
        // Never cancelled by us: cancelling a pending websocket receive aborts the whole socket,
        // and the close handshake below needs it alive.
        var clientGone = WatchClientAsync(socket, clientGoneCts, aborted);
        using var pump = new LogPump(request.Offset, (bytes, ct) => WebSocketSink.SendTextAsync(socket, bytes, ct), meter);
        var continuation = resumer.Begin(request.Uuid, opened);
        var upstream = opened.Stream!;
        try
        {
            while (true)
            {
                var (_, error) = await pump.RunAsync(upstream, clientGoneCts.Token);
                if (pump.Position == 0 && error is null && continuation.Resumes == 0
                    && await opener.WasRefusedAsync(request.Uuid, 0))
                {
                    LogWarningEmptyStream(logger, tenant, request.Uuid, opened.Target!);
                    await CloseAsync(socket, CloseStreamFailure, BuildStreamOpener.RefusedMessage(request.Uuid, opened.Target!).TrimEnd());
                    await WaitForCloseReplyAsync(clientGone);
                    return StreamEnd.Refused;
                }

                if (!ReferenceEquals(upstream, opened.Stream))
                {
                    await upstream.DisposeAsync();
                }

                var next = await continuation.NextAsync(pump.Position, error, clientGoneCts.Token);
                if (next.Outcome == ResumeOutcome.Resumed)
                {
                    upstream = next.Stream!;
                    pump.Resumed();
                    continue;
                }

                StreamEnd end;
                if (next.Outcome == ResumeOutcome.BuildFinished)
                {
                    await pump.FlushAsync(clientGoneCts.Token);
                    LogInformationStreamEnded(logger, tenant, request.Uuid, $"build ended after {pump.Position} log bytes");
                    await CloseAsync(socket, (int)WebSocketCloseStatus.NormalClosure, "Stream ended.");
                    end = StreamEnd.Completed;
                }
                else
                {
                    LogWarningStreamFailed(logger, tenant, request.Uuid, continuation.Target, pump.Position, next.Problem ?? string.Empty);
                    await CloseAsync(socket, CloseStreamFailure, $"The log stream failed at byte {pump.Position} and could not be resumed; reconnect to retry.");
                    end = StreamEnd.UpstreamFailed;
                }

                await WaitForCloseReplyAsync(clientGone);
                return end;
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            if (lifetime.ApplicationStopping.IsCancellationRequested && !aborted.IsCancellationRequested)
            {
                LogInformationStreamEnded(logger, tenant, request.Uuid, "server stopping");
                await CloseAsync(socket, (int)WebSocketCloseStatus.EndpointUnavailable, "The server is stopping; reconnect to resume.");
                // Returning at once would abort the connection (a receive is pending) before the close frame is out.
                await WaitForCloseReplyAsync(clientGone);
                return StreamEnd.Cancelled;
            }

            LogInformationStreamEnded(logger, tenant, request.Uuid, "client gone");
            return StreamEnd.ClientClosed;
        }
        finally
        {
            if (!ReferenceEquals(upstream, opened.Stream))
            {
                await upstream.DisposeAsync();
            }
        }
    }

    /// <summary>Joins the build's shared stream; metered and traced as the unshared relay is.</summary>
    private async Task StreamSharedAsync(WebSocket socket, string tenant, ConsoleStreamRequest request, Activity? activity, long requestedAt, CancellationToken aborted)
    {
        StreamMeter? meter = null;
        var join = await streams.JoinAsync(request.Uuid, request.Offset, new WebSocketSink(socket), aborted,
            _ => meter = metrics.StartStream(StreamHop.Websocket, requestedAt));
        if (!join.Ok)
        {
            var failure = join.Opening.Failure as StreamFailure? ?? StreamFailure.UpstreamUnreachable;
            LogInformationStreamRefused(logger, tenant, request.Uuid, failure);
            metrics.Rejected(failure.ToRejection(), activity);
            await CloseAsync(socket, failure == StreamFailure.ResolutionFailed ? CloseInternalError : CloseStreamFailure, join.Opening.Message.TrimEnd());
            return;
        }

        LogInformationStreamStarted(logger, tenant, request.Uuid, join.Opening.Target!);
        var end = StreamEnd.Error;
        try
        {
            end = await RelaySharedAsync(socket, join.Subscription!, request, tenant, aborted);
        }
        finally
        {
            meter?.End(end);
            ZuulTracing.Ended(activity, end, meter?.Bytes ?? 0);
        }
    }

    /// <summary>
    /// Runs the subscription and closes the websocket as the stream ended (PROTOCOL.md section 6), as the unshared relay
    /// does: the shared upstream resumes by offset itself when a hop fails, so 1000 still means the build finished and
    /// every byte was sent; 4011 when the stream failed (refused before any byte: the refusal's line), 1001 when this
    /// server stops. Returns how it ended.
    /// </summary>
    private async Task<StreamEnd> RelaySharedAsync(WebSocket socket, Finger.Sharing.Subscription subscription, ConsoleStreamRequest request, string tenant, CancellationToken aborted)
    {
        // Stopping the server ends the stream with 1001 (going away): the page reconnects by offset, to us later or to another frontend.
        using var clientGoneCts = CancellationTokenSource.CreateLinkedTokenSource(aborted, lifetime.ApplicationStopping);
        var clientGone = WatchClientAsync(socket, clientGoneCts, aborted);
        var result = await subscription.RunAsync(clientGoneCts.Token);
        var position = request.Offset + result.BytesToClient;
        StreamEnd end;
        switch (result.Outcome)
        {
            case ShareOutcome.Completed:
                LogInformationStreamEnded(logger, tenant, request.Uuid, $"build ended after {position} log bytes");
                await CloseAsync(socket, (int)WebSocketCloseStatus.NormalClosure, "Stream ended.");
                end = StreamEnd.Completed;
                break;
            case not ShareOutcome.Completed when lifetime.ApplicationStopping.IsCancellationRequested && !aborted.IsCancellationRequested:
                LogInformationStreamEnded(logger, tenant, request.Uuid, "server stopping");
                await CloseAsync(socket, (int)WebSocketCloseStatus.EndpointUnavailable, "The server is stopping; reconnect to resume.");
                end = StreamEnd.Cancelled;
                break;
            case ShareOutcome.Cancelled or ShareOutcome.ClientGone or ShareOutcome.Cut:
                LogInformationStreamEnded(logger, tenant, request.Uuid, "client gone");
                return StreamEnd.ClientClosed;
            case ShareOutcome.Failed when result is { BytesToClient: 0, Message: { } message }:
                // Refused before any byte (the next hop refused us, or no upstream of its own to be had): its line.
                LogInformationStreamEnded(logger, tenant, request.Uuid, "failed: " + message.TrimEnd());
                await CloseAsync(socket, CloseStreamFailure, message.TrimEnd());
                end = StreamEnd.Refused;
                break;
            default:
                LogWarningStreamFailed(logger, tenant, request.Uuid, result.Hop ?? "shared upstream", position, result.Problem ?? "shared upstream failed");
                await CloseAsync(socket, CloseStreamFailure, $"The log stream failed at byte {position} and could not be resumed; reconnect to retry.");
                end = StreamEnd.UpstreamFailed;
                break;
        }

        // Returning at once would abort the connection (a receive is pending) before the close frame is out.
        await WaitForCloseReplyAsync(clientGone);
        return end;
    }

    /// <summary>Gives the client a moment to answer our close, so it sees a clean handshake and not a reset.</summary>
    private static Task WaitForCloseReplyAsync(Task clientGone) =>
        clientGone.WaitAsync(TimeSpan.FromSeconds(5)).ContinueWith(_ => { }, TaskScheduler.Default);

    private static async Task<byte[]?> ReceiveRequestAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[MaxRequestBytes];
        var length = 0;
        try
        {
            while (length < buffer.Length)
            {
                var result = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return null;
                }

                length += result.Count;
                if (result.EndOfMessage)
                {
                    return buffer[..length];
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
        }

        return null;
    }

    /// <summary>Reads until the client closes (the client never needs to send more than its request), then signals <paramref name="gone"/>.</summary>
    private static async Task WatchClientAsync(WebSocket socket, CancellationTokenSource gone, CancellationToken aborted)
    {
        var buffer = new byte[256];
        try
        {
            while (true)
            {
                var result = await socket.ReceiveAsync(buffer, aborted);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
        }

        try
        {
            await gone.CancelAsync();
        }
        catch (ObjectDisposedException)
        {
            // The stream already ended and its handler returned.
        }
    }

    private static async Task CloseAsync(WebSocket socket, int code, string reason)
    {
        // Close reasons are limited to 123 bytes.
        if (Encoding.UTF8.GetByteCount(reason) > 120)
        {
            reason = reason[..Math.Min(reason.Length, 110)] + "...";
        }

        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            await socket.CloseOutputAsync((WebSocketCloseStatus)code, reason, cts.Token);
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
        }
    }

    [LoggerMessage(405, LogLevel.Error, "Console stream (tenant {Tenant}) failed")]
    private static partial void LogErrorInternal(ILogger logger, string tenant, Exception exception);

    [LoggerMessage(404, LogLevel.Warning, "Console stream (tenant {Tenant}) of build {BuildId}: {Target} closed the stream without sending anything while the build runs")]
    private static partial void LogWarningEmptyStream(ILogger logger, string tenant, string buildId, string target);

    [LoggerMessage(406, LogLevel.Information, "Console stream (tenant {Tenant}) of build {BuildId}: reader refused ({Reason})")]
    private static partial void LogInformationRefused(ILogger logger, string tenant, string buildId, string reason);

    [LoggerMessage(407, LogLevel.Warning, "Console stream (tenant {Tenant}) of build {BuildId}: failed after {Bytes} log bytes: upstream {Hop} lost and not resumed ({Problem}); closed with 4011")]
    private static partial void LogWarningStreamFailed(ILogger logger, string tenant, string buildId, string hop, long bytes, string problem);

    [LoggerMessage(400, LogLevel.Information, "Console stream (tenant {Tenant}) rejected: {Reason}")]
    private static partial void LogInformationBadRequest(ILogger logger, string tenant, string reason);

    [LoggerMessage(401, LogLevel.Information, "Console stream (tenant {Tenant}) of build {BuildId}: not streamed ({Failure})")]
    private static partial void LogInformationStreamRefused(ILogger logger, string tenant, string buildId, StreamFailure failure);

    [LoggerMessage(402, LogLevel.Information, "Console stream (tenant {Tenant}) of build {BuildId}: streaming via {Target}")]
    private static partial void LogInformationStreamStarted(ILogger logger, string tenant, string buildId, string target);

    [LoggerMessage(403, LogLevel.Information, "Console stream (tenant {Tenant}) of build {BuildId}: ended ({How})")]
    private static partial void LogInformationStreamEnded(ILogger logger, string tenant, string buildId, string how);
}
