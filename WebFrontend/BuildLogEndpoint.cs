using System.Buffers;
using System.Diagnostics;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Finger.Sharing;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Hosting.Telemetry;
using Zuul.LiveLog.Streams;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// <c>GET /api/tenant/{tenant}/build/{uuid}/log?offset=N</c>: the log's bytes from byte N, as they are (<c>text/plain</c>), streamed.
/// The log page loads what there is with it, because a browser takes a websocket's messages several times slower
/// than a streamed response, then follows on the console-stream websocket from the offset it reached. So the
/// response ends when the build ends; for a running build also once no byte came for <see cref="IdleCut"/> (caught
/// up) or it has lasted <see cref="LongestResponse"/> (a browser has few connections per server; the websocket does
/// not take one of them), cut at a character boundary so that the websocket's text can resume there.
/// An upstream failure that is not resumed aborts the response: the client sees a broken transfer, never a clean end.
/// Read access is the tenant API's and the websocket's (<see cref="TenantsApi.Refuse"/>: 401/403), checked before the
/// upstream is opened; another tenant's build is "not found", exactly like an unknown one. Metered as hop <c>http</c>
/// (README "Metrics"), each response a stream of its own.
/// </summary>
public sealed partial class BuildLogEndpoint(
    BuildStreamOpener opener,
    SharedStreamHub streams,
    StreamResumer resumer,
    IGrainFactory grains,
    ZuulMetrics metrics,
    ILogger<BuildLogEndpoint> logger)
{
    public static readonly TimeSpan IdleCut = TimeSpan.FromSeconds(1);
    public static readonly TimeSpan LongestResponse = TimeSpan.FromSeconds(30);

    public async Task HandleAsync(HttpContext context, string tenant, string uuid)
    {
        var requestedAt = Stopwatch.GetTimestamp();
        if (TenantsApi.Refuse(context, tenant) is { } refused)
        {
            metrics.Rejected(TenantName.IsValid(tenant) ? StreamRejection.ClientNotAllowed : StreamRejection.InvalidRequest);
            await refused.ExecuteAsync(context);
            return;
        }

        if (!BuildId.TryNormalize(uuid, out var id))
        {
            metrics.Rejected(StreamRejection.InvalidRequest);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"'{ApiResults.Quote(uuid)}' is not a valid build id (32 hex digits).");
            return;
        }

        var offsetText = context.Request.Query["offset"].ToString();
        long offset = 0;
        if (offsetText.Length > 0 && (!long.TryParse(offsetText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out offset)))
        {
            metrics.Rejected(StreamRejection.InvalidRequest);
            await WriteErrorAsync(context, StatusCodes.Status400BadRequest, $"offset '{ApiResults.Quote(offsetText)}' is not a byte count.");
            return;
        }

        var (asked, owner) = await TenantOfAsync(id);
        if (!asked)
        {
            // The cluster could not be asked: not the build's fault, and said the way the opener says it.
            LogInformationRefused(logger, id, StreamFailure.ResolutionFailed);
            metrics.Rejected(StreamFailure.ResolutionFailed.ToRejection());
            await WriteErrorAsync(context, StatusCodes.Status502BadGateway, FingerErrors.ResolutionFailed(id).TrimEnd());
            return;
        }

        if (owner != tenant)
        {
            LogInformationRefused(logger, id, StreamFailure.BuildNotFound);
            metrics.Rejected(StreamFailure.BuildNotFound.ToRejection());
            await WriteErrorAsync(context, StatusCodes.Status404NotFound, FingerErrors.BuildNotFound(id).TrimEnd());
            return;
        }

        var aborted = context.RequestAborted;
        if (streams.Enabled)
        {
            await StreamSharedAsync(context, id, offset, requestedAt, aborted);
            return;
        }

        await using var opened = new OpenedStreamScope(await opener.OpenAsync(id, aborted));
        if (!opened.Value.Ok)
        {
            LogInformationRefused(logger, id, opened.Value.Failure);
            metrics.Rejected(opened.Value.Failure.ToRejection());
            var status = opened.Value.Failure is StreamFailure.BuildNotFound or StreamFailure.BuildNotStarted
                ? StatusCodes.Status404NotFound : StatusCodes.Status502BadGateway;
            await WriteErrorAsync(context, status, opened.Value.Message.TrimEnd());
            return;
        }

        // A finished build's stream ends by itself; only a running one is cut (a pause in a loaded upstream is no end).
        var running = await opener.IsRunningAsync(id);
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var meter = metrics.StartStream(StreamHop.Http, requestedAt);
        var pump = new LogPump(offset, async (bytes, ct) =>
        {
            await context.Response.Body.WriteAsync(bytes, ct);
            await context.Response.Body.FlushAsync(ct);
        }, meter, running ? IdleCut : null, running ? LongestResponse : null);
        var end = LogResponseEnd.Failed;
        var continuation = resumer.Begin(id, opened.Value);
        var upstream = opened.Value.Stream!;
        try
        {
            while (true)
            {
                var (stop, upstreamError) = await pump.RunAsync(upstream, aborted);
                end = stop switch
                {
                    LogPumpStop.Idle => LogResponseEnd.CaughtUp,
                    LogPumpStop.LongestReached => LogResponseEnd.LongestReached,
                    _ => LogResponseEnd.BuildEnded,
                };
                if (end != LogResponseEnd.BuildEnded)
                {
                    break;
                }

                if (offset == 0 && continuation.Resumes == 0 && pump.Position == 0 && upstreamError is null && running && await opener.WasRefusedAsync(id, 0))
                {
                    // Nothing came and the build goes on: the next hop refused us (e.g. our TLS client certificate).
                    LogWarningEmptyStream(logger, id, opened.Value.Target!);
                    await WriteErrorAsync(context, StatusCodes.Status502BadGateway, BuildStreamOpener.RefusedMessage(id, opened.Value.Target!).TrimEnd());
                    end = LogResponseEnd.Refused;
                    return;
                }

                if (!ReferenceEquals(upstream, opened.Value.Stream))
                {
                    await upstream.DisposeAsync();
                }

                // An upstream's end is the build's end only when the build finished (PROTOCOL.md section 6): the same rule
                // as the websocket's, which also confirms a finish the cluster has not recorded yet (the executor closes at
                // the finish marker, its report to the cluster may come later) and resumes a hop that failed.
                var next = await continuation.NextAsync(pump.Position, upstreamError, aborted);
                if (next.Outcome == ResumeOutcome.Resumed)
                {
                    upstream = next.Stream!;
                    pump.Resumed();
                    continue;
                }

                if (next.Outcome == ResumeOutcome.BuildFinished)
                {
                    await pump.FlushAsync(aborted);
                    break;
                }

                LogWarningNotResumed(logger, id, continuation.Target, pump.Position, next.Problem ?? string.Empty);
                end = LogResponseEnd.Failed;
                break;
            }

            LogDebugEnded(logger, id, end, pump.Sent);
            if (end == LogResponseEnd.Failed)
            {
                // A reset, never a clean end of a truncated log: the page goes on by offset on the websocket.
                context.Abort();
            }
        }
        catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
        {
            // The client went away (or the server stops).
            end = LogResponseEnd.Failed;
            LogDebugEnded(logger, id, end, pump.Sent);
            context.Abort();
        }
        finally
        {
            if (!ReferenceEquals(upstream, opened.Value.Stream))
            {
                await upstream.DisposeAsync();
            }

            pump.Dispose();
            meter.End(MeteredEnd(end, aborted));
        }
    }

    /// <summary>How a log response ended, as the metrics count it.</summary>
    private static StreamEnd MeteredEnd(LogResponseEnd end, CancellationToken aborted) => end switch
    {
        LogResponseEnd.BuildEnded => StreamEnd.Completed,
        LogResponseEnd.CaughtUp or LogResponseEnd.LongestReached => StreamEnd.Cut,
        LogResponseEnd.Refused => StreamEnd.Refused,
        _ when aborted.IsCancellationRequested => StreamEnd.ClientClosed,
        _ => StreamEnd.UpstreamFailed,
    };

    private async Task StreamSharedAsync(HttpContext context, string id, long offset, long requestedAt, CancellationToken aborted)
    {
        StreamMeter? meter = null;
        var join = await streams.JoinAsync(id, offset, new HttpLogSink(context.Response.BodyWriter), aborted,
            _ => meter = metrics.StartStream(StreamHop.Http, requestedAt));
        if (!join.Ok)
        {
            var failure = join.Opening.Failure as StreamFailure? ?? StreamFailure.UpstreamUnreachable;
            LogInformationRefused(logger, id, failure);
            metrics.Rejected(failure.ToRejection());
            await WriteErrorAsync(context, failure is StreamFailure.BuildNotFound or StreamFailure.BuildNotStarted
                ? StatusCodes.Status404NotFound : StatusCodes.Status502BadGateway, join.Opening.Message.TrimEnd());
            return;
        }

        // A finished build's stream ends by itself; only a running one is cut (a pause in a loaded upstream is no end).
        var running = await opener.IsRunningAsync(id);
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        context.Response.Headers.XContentTypeOptions = "nosniff";
        var subscription = join.Subscription!;
        var end = LogResponseEnd.Failed;
        try
        {
            var run = subscription.RunAsync(aborted);
            if (running)
            {
                await CutWhenCaughtUpAsync(subscription, run);
            }

            var result = await run;
            end = result.Outcome switch
            {
                ShareOutcome.Completed => LogResponseEnd.BuildEnded,
                ShareOutcome.Cut => subscription.IdleFor >= IdleCut ? LogResponseEnd.CaughtUp : LogResponseEnd.LongestReached,
                _ => LogResponseEnd.Failed,
            };
            LogDebugEnded(logger, id, end, result.BytesToClient);
            if (result is { Outcome: ShareOutcome.Failed, Message: { } message } && !context.Response.HasStarted)
            {
                await WriteErrorAsync(context, StatusCodes.Status502BadGateway, message.TrimEnd());
                end = LogResponseEnd.Refused;
            }
            else if (end == LogResponseEnd.Failed)
            {
                context.Abort();
            }
        }
        finally
        {
            meter?.End(MeteredEnd(end, aborted));
        }
    }

    /// <summary>Cuts the response once the client has been waiting for new bytes for <see cref="IdleCut"/>, or after <see cref="LongestResponse"/>.</summary>
    private static async Task CutWhenCaughtUpAsync(Subscription subscription, Task run)
    {
        var started = TimeProvider.System.GetTimestamp();
        while (!run.IsCompleted)
        {
            await Task.WhenAny(run, Task.Delay(IdleCut / 4));
            if (subscription.IdleFor >= IdleCut || TimeProvider.System.GetElapsedTime(started) >= LongestResponse)
            {
                subscription.Cut();
                return;
            }
        }
    }

    /// <summary>The build's tenant (null: no such build); Asked false when the cluster could not be asked.</summary>
    private async Task<(bool Asked, string? Tenant)> TenantOfAsync(string id)
    {
        try
        {
            return (true, (await grains.GetGrain<IBuildGrain>(id).GetAsync())?.Tenant);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWarningClusterUnreachable(logger, id, ex.Message);
            return (false, null);
        }
    }

    private static Task WriteErrorAsync(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ApiError(message), ApiJson.Default.ApiError);
    }

    [LoggerMessage(420, LogLevel.Information, "Log of build {BuildId} over HTTP: not streamed ({Failure})")]
    private static partial void LogInformationRefused(ILogger logger, string buildId, StreamFailure failure);

    [LoggerMessage(421, LogLevel.Debug, "Log of build {BuildId} over HTTP: ended ({End}, {Bytes} bytes)")]
    private static partial void LogDebugEnded(ILogger logger, string buildId, LogResponseEnd end, long bytes);

    [LoggerMessage(423, LogLevel.Warning, "Log of build {BuildId} over HTTP: the cluster could not say whose build it is: {Error}")]
    private static partial void LogWarningClusterUnreachable(ILogger logger, string buildId, string error);

    [LoggerMessage(422, LogLevel.Warning, "Log of build {BuildId} over HTTP: {Target} closed the stream without sending anything while the build runs")]
    private static partial void LogWarningEmptyStream(ILogger logger, string buildId, string target);

    [LoggerMessage(424, LogLevel.Warning, "Log of build {BuildId} over HTTP: upstream {Target} lost after {Bytes} bytes and not resumed ({Problem}); response reset")]
    private static partial void LogWarningNotResumed(ILogger logger, string buildId, string target, long bytes, string problem);
}

/// <summary>Why a log response ended.</summary>
public enum LogResponseEnd
{
    /// <summary>The upstream ended the stream: the build ended, the log is complete.</summary>
    BuildEnded,

    /// <summary>No byte came for a while: the client has what there is and follows on the websocket.</summary>
    CaughtUp,

    /// <summary>The response lasted as long as one may; the client continues on the websocket.</summary>
    LongestReached,

    /// <summary>The upstream or the client broke off.</summary>
    Failed,

    /// <summary>Nothing was streamed: the next hop refused us, the client got an error (<c>502</c>).</summary>
    Refused,
}
