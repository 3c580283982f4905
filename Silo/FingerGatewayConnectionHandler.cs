using System.Diagnostics;
using System.Net.Security;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Streams;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Finger.Sharing;
using Zuul.LiveLog.Finger.Tls;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// The zone's finger gateway: reads one request line, resolves the build with this silo's zone,
/// connects to the answer (executor, or the gateway of the build's zone) and relays until either side ends.
/// With shared streams (the default) every client of a build joins the one upstream this gateway holds for it.
/// </summary>
internal sealed partial class FingerGatewayConnectionHandler(
    BuildStreamOpener opener,
    StreamResumer resumer,
    SharedStreamHub streams,
    GatewayLifecycle lifecycle,
    ZuulMetrics metrics,
    IOptions<FingerGatewayOptions> options,
    ILogger<FingerGatewayConnectionHandler> logger) : ConnectionHandler
{
    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        var closed = connection.ConnectionClosed;
        var remote = connection.RemoteEndPoint?.ToString() ?? "?";
        FingerRequest request;
        try
        {
            request = await FingerRequestReader.ReadAsync(connection.Transport.Input, options.Value.RequestTimeout, closed);
        }
        catch (Exception ex) when (ex is IOException or System.Security.Authentication.AuthenticationException ||
                                   (ex is OperationCanceledException && closed.IsCancellationRequested))
        {
            // The client left while we waited for its request; a TLS client that refuses our certificate does so
            // right after the handshake, and the read then fails or is cancelled instead of seeing the end.
            request = new FingerRequest(FingerRequestStatus.ClientClosed, string.Empty, string.Empty);
        }

        var requestedAt = Stopwatch.GetTimestamp();
        switch (request.Status)
        {
            case FingerRequestStatus.ClientClosed:
                if (connection.Items.TryGetValue(TlsServerMiddleware.ServerNameItem, out var sni))
                {
                    // TLS checks the server's certificate after the handshake: a client that refuses ours just leaves.
                    LogInformationTlsClientLeft(logger, remote, sni as string ?? string.Empty);
                }

                return;
            case FingerRequestStatus.TimedOut:
                LogInformationBadRequest(logger, remote, "request line timeout");
                metrics.Rejected(StreamRejection.RequestTimeout);
                await ReplyAsync(connection, FingerErrors.RequestTimeout);
                return;
            case FingerRequestStatus.TooLong:
                LogInformationBadRequest(logger, remote, "request line too long");
                metrics.Rejected(StreamRejection.RequestTooLong);
                await ReplyAsync(connection, FingerErrors.LineTooLong);
                return;
            case FingerRequestStatus.InvalidBuildId:
                LogInformationBadRequest(logger, remote, "invalid build id");
                metrics.Rejected(StreamRejection.InvalidRequest);
                await ReplyAsync(connection, FingerErrors.InvalidBuildId(request.RawId));
                return;
        }

        var listenerTls = TlsServerMiddleware.IsTls(connection);
        // One trace per hop: the finger request line has no room for a trace context (README "Traces").
        using var activity = ZuulTracing.StartStream("finger stream", ActivityKind.Server, request.BuildId, listenerTls ? StreamHop.Tls : StreamHop.Gateway);
        if (lifecycle.State == GatewayState.Draining)
        {
            metrics.Rejected(StreamRejection.Draining, activity);
            await ReplyAsync(connection, FingerErrors.ShuttingDown);
            return;
        }

        if (streams.Enabled)
        {
            await StreamSharedAsync(connection, request.BuildId, remote, listenerTls, activity, requestedAt, closed);
            return;
        }

        await using var opened = new OpenedStreamScope(await opener.OpenAsync(request.BuildId, closed));
        if (!opened.Value.Ok)
        {
            LogInformationStreamRefused(logger, request.BuildId, remote, opened.Value.Failure);
            metrics.Rejected(opened.Value.Failure.ToRejection(), activity);
            await ReplyAsync(connection, opened.Value.Message);
            return;
        }

        var hop = listenerTls || opened.Value.Stream is SslStream ? StreamHop.Tls : StreamHop.Gateway;
        ZuulTracing.SetHop(activity, hop);
        var meter = metrics.StartStream(hop, requestedAt);
        var end = StreamEnd.Error;
        try
        {
            end = await RelayAsync(connection, request.BuildId, remote, opened.Value, listenerTls, meter);
        }
        finally
        {
            meter.End(end);
            ZuulTracing.Ended(activity, end, meter.Bytes);
        }
    }

    /// <summary>
    /// Relays until the build's end, resuming from another upstream when one fails mid-stream (PROTOCOL.md section 6).
    /// A clean end (FIN) means the build finished and every byte was sent; any other end resets the client's
    /// connection, the only failure a finger client (or the next hop, which then resumes) can tell from an end.
    /// </summary>
    private async Task<StreamEnd> RelayAsync(ConnectionContext connection, string buildId, string remote, OpenedStream opened, bool listenerTls, StreamMeter meter)
    {
        // Stopping: relays go on for the drain time after the gateway left the registry, then they are reset.
        using var relayCts = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, lifecycle.DrainExpired);
        var continuation = resumer.Begin(buildId, opened);
        var upstream = opened.Stream!;
        long delivered = 0;
        try
        {
            while (true)
            {
                // The raw socket is ours to write only on a plaintext listener: TLS replaces the transport with its own pipes.
                var clientSocket = options.Value.UseSplice && !listenerTls
                    ? connection.Features.Get<IConnectionSocketFeature>()?.Socket
                    : null;
                LogInformationStreamStarted(logger, buildId, remote, continuation.Target, opened.Kind!.Value, FingerRelay.PathFor(upstream, clientSocket));
                var result = await FingerRelay.RunAsync(connection.Transport, upstream, clientSocket, meter, relayCts.Token);
                delivered += result.BytesToClient;
                LogInformationStreamEnded(logger, buildId, remote, result.Outcome, delivered);
                switch (result.Outcome)
                {
                    case RelayOutcome.ClientClosed:
                        return StreamEnd.ClientClosed;
                    case RelayOutcome.Cancelled when lifecycle.DrainExpired.IsCancellationRequested && !connection.ConnectionClosed.IsCancellationRequested:
                        LogWarningDrainReset(logger, buildId, remote, delivered);
                        Reset(connection, "The finger gateway is stopping.");
                        return StreamEnd.Cancelled;
                    case RelayOutcome.Cancelled:
                        return StreamEnd.Cancelled;
                }

                if (delivered == 0 && result.Outcome == RelayOutcome.UpstreamCompleted && continuation.Resumes == 0
                    && await opener.WasRefusedAsync(buildId, 0))
                {
                    LogWarningEmptyStream(logger, buildId, opened.Target!);
                    await ReplyAsync(connection, BuildStreamOpener.RefusedMessage(buildId, opened.Target!));
                    return StreamEnd.Refused;
                }

                await upstream.DisposeAsync();
                var next = await continuation.NextAsync(delivered, result.Error, relayCts.Token);
                switch (next.Outcome)
                {
                    case ResumeOutcome.BuildFinished:
                        return StreamEnd.Completed;
                    case ResumeOutcome.Resumed:
                        upstream = next.Stream!;
                        continue;
                    default:
                        LogWarningStreamFailed(logger, buildId, remote, continuation.Target, delivered, next.Problem ?? string.Empty);
                        Reset(connection, "The build's log stream failed upstream.");
                        return StreamEnd.UpstreamFailed;
                }
            }
        }
        catch (OperationCanceledException) when (relayCts.IsCancellationRequested)
        {
            // The client left, or the drain time ran out, while the stream was being resumed.
            if (!connection.ConnectionClosed.IsCancellationRequested)
            {
                LogWarningDrainReset(logger, buildId, remote, delivered);
                Reset(connection, "The finger gateway is stopping.");
            }

            return connection.ConnectionClosed.IsCancellationRequested ? StreamEnd.ClientClosed : StreamEnd.Cancelled;
        }
        finally
        {
            // The first upstream belongs to the caller's scope; a resumed one is ours.
            if (!ReferenceEquals(upstream, opened.Stream))
            {
                await upstream.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Ends the client's connection with a TCP reset, not an end of stream: Kestrel's abort shuts the socket down
    /// gracefully (a FIN, which a finger client reads as the log's end), so the socket is closed with a zero linger first.
    /// </summary>
    private static void Reset(ConnectionContext connection, string reason)
    {
        if (connection.Features.Get<IConnectionSocketFeature>()?.Socket is { } socket)
        {
            try
            {
                socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);
                socket.Close();
            }
            catch (Exception ex) when (ex is ObjectDisposedException or System.Net.Sockets.SocketException)
            {
                // Gone already.
            }
        }

        connection.Abort(new ConnectionAbortedException(reason));
    }

    /// <summary>
    /// Joins the build's shared stream: bytes go to a plain client's socket with sendfile(2), to a TLS client through its
    /// pipe. Metered and traced as the unshared relay is, and ended the same way (PROTOCOL.md section 6): the shared
    /// upstream itself is resumed by offset when a hop fails, so a clean end (FIN) still means the build finished and
    /// every byte was sent; a failure resets the client's connection; the drain time's end resets it too.
    /// </summary>
    private async Task StreamSharedAsync(ConnectionContext connection, string buildId, string remote, bool listenerTls, Activity? activity, long requestedAt, CancellationToken closed)
    {
        var socket = !listenerTls ? connection.Features.Get<IConnectionSocketFeature>()?.Socket : null;
        IStreamSink sink = socket is not null ? new SocketSink(socket) : new PipeSink(connection.Transport.Output);
        var hop = listenerTls ? StreamHop.Tls : StreamHop.Gateway;
        StreamMeter? meter = null;
        StreamJoin join;
        try
        {
            join = await streams.JoinAsync(buildId, 0, sink, closed, opening =>
            {
                // The hop is TLS when either end is; the meter starts once the stream is there, as the relay's does.
                hop = listenerTls || opening.Stream is SslStream ? StreamHop.Tls : StreamHop.Gateway;
                meter = metrics.StartStream(hop, requestedAt);
                return meter;
            });
        }
        catch (OperationCanceledException) when (closed.IsCancellationRequested)
        {
            return; // the client left while the upstream was being opened
        }

        if (!join.Ok)
        {
            var failure = join.Opening.Failure as StreamFailure? ?? StreamFailure.UpstreamUnreachable;
            LogInformationStreamRefused(logger, buildId, remote, failure);
            metrics.Rejected(failure.ToRejection(), activity);
            await ReplyAsync(connection, join.Opening.Message);
            return;
        }

        ZuulTracing.SetHop(activity, hop);
        var end = StreamEnd.Error;
        // Stopping: streams go on for the drain time after the gateway left the registry, then they are reset.
        using var relayCts = CancellationTokenSource.CreateLinkedTokenSource(closed, lifecycle.DrainExpired);
        try
        {
            LogInformationSharedStreamStarted(logger, buildId, remote, join.Opening.Target!, join.Shared ? "joined" : "opened", RelayPath.Shared);
            var result = await SharedRelay.RunAsync(join.Subscription!, connection.Transport.Input, relayCts.Token);
            LogInformationSharedStreamEnded(logger, buildId, remote, result.Outcome, result.BytesToClient, result.CatchUps);
            end = SharedStreamEnd(result);
            switch (result)
            {
                case { Outcome: ShareOutcome.Completed or ShareOutcome.ClientGone }:
                    break;
                case { Outcome: ShareOutcome.Cancelled } when lifecycle.DrainExpired.IsCancellationRequested && !closed.IsCancellationRequested:
                    LogWarningDrainReset(logger, buildId, remote, result.BytesToClient);
                    Reset(connection, "The finger gateway is stopping.");
                    break;
                case { Outcome: ShareOutcome.Cancelled }:
                    break;
                case { Outcome: ShareOutcome.Failed, BytesToClient: 0, Message: { } message }:
                    // Refused before any byte (the next hop refused us, or no upstream of its own): one line, as the relay says it.
                    await ReplyAsync(connection, message);
                    break;
                default:
                    // The shared upstream was lost and not resumed within the window, or a client that fell behind found
                    // no upstream of its own: a reset, so that the client (or the next hop, which then resumes) sees a failure.
                    LogWarningStreamFailed(logger, buildId, remote, result.Hop ?? join.Opening.Target!, result.BytesToClient, result.Problem ?? "shared upstream failed");
                    Reset(connection, "The build's log stream failed upstream.");
                    break;
            }
        }
        finally
        {
            meter?.End(end);
            ZuulTracing.Ended(activity, end, meter?.Bytes ?? 0);
        }
    }

    /// <summary>How a client's shared stream ended, as the metrics count it.</summary>
    private static StreamEnd SharedStreamEnd(ShareResult result) => result.Outcome switch
    {
        ShareOutcome.Completed => StreamEnd.Completed,
        ShareOutcome.ClientGone => StreamEnd.ClientClosed,
        ShareOutcome.Failed when result is { BytesToClient: 0, Message: not null } => StreamEnd.Refused,
        ShareOutcome.Failed => StreamEnd.UpstreamFailed,
        _ => StreamEnd.Cancelled,
    };

    private static async Task ReplyAsync(ConnectionContext connection, string line)
    {
        try
        {
            await connection.Transport.Output.WriteAsync(Encoding.UTF8.GetBytes(line), connection.ConnectionClosed);
            await connection.Transport.Output.CompleteAsync();
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException)
        {
            // The client left before reading its error; nothing else to do.
        }
    }

    [LoggerMessage(204, LogLevel.Information, "TLS client {Remote} (SNI {ServerName}) closed without sending a request; it may have refused our certificate")]
    private static partial void LogInformationTlsClientLeft(ILogger logger, string remote, string serverName);

    [LoggerMessage(205, LogLevel.Warning, "Build {BuildId}: {Target} closed the stream without sending anything while the build runs")]
    private static partial void LogWarningEmptyStream(ILogger logger, string buildId, string target);

    [LoggerMessage(206, LogLevel.Warning, "Build {BuildId} for {Remote}: stream failed after {Bytes} bytes: upstream {Target} lost and not resumed ({Problem}); connection reset")]
    private static partial void LogWarningStreamFailed(ILogger logger, string buildId, string remote, string target, long bytes, string problem);

    [LoggerMessage(207, LogLevel.Warning, "Build {BuildId} for {Remote}: the gateway is stopping and its drain time ran out after {Bytes} bytes; connection reset (the next hop resumes elsewhere)")]
    private static partial void LogWarningDrainReset(ILogger logger, string buildId, string remote, long bytes);

    [LoggerMessage(200, LogLevel.Information, "Finger request from {Remote} rejected: {Reason}")]
    private static partial void LogInformationBadRequest(ILogger logger, string remote, string reason);

    [LoggerMessage(201, LogLevel.Information, "Build {BuildId} for {Remote}: not streamed ({Failure})")]
    private static partial void LogInformationStreamRefused(ILogger logger, string buildId, string remote, StreamFailure failure);

    [LoggerMessage(202, LogLevel.Information, "Build {BuildId} for {Remote}: streaming via {Target} ({Kind}, relay {Path})")]
    private static partial void LogInformationStreamStarted(ILogger logger, string buildId, string remote, string target, StreamResolutionKind kind, RelayPath path);

    [LoggerMessage(208, LogLevel.Information, "Build {BuildId} for {Remote}: streaming via {Target} (shared upstream, {How}, relay {Path})")]
    private static partial void LogInformationSharedStreamStarted(ILogger logger, string buildId, string remote, string target, string how, RelayPath path);

    [LoggerMessage(209, LogLevel.Information, "Build {BuildId} for {Remote}: stream ended ({Outcome}, {Bytes} bytes, caught up on its own upstream {CatchUps} time(s))")]
    private static partial void LogInformationSharedStreamEnded(ILogger logger, string buildId, string remote, ShareOutcome outcome, long bytes, int catchUps);

    [LoggerMessage(203, LogLevel.Information, "Build {BuildId} for {Remote}: stream ended ({Outcome}, {Bytes} bytes)")]
    private static partial void LogInformationStreamEnded(ILogger logger, string buildId, string remote, RelayOutcome outcome, long bytes);
}
