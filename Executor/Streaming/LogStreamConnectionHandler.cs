using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// The executor side of the finger protocol (PROTOCOL.md sections 1 and 2), wire-compatible with Zuul's
/// executor log streamer: one request line, then the build's log from byte 0, following the growing file
/// until the build finishes. Followers wake on file notifications shared per build; a periodic re-check
/// only guards against missed notifications.
/// </summary>
public sealed partial class LogStreamConnectionHandler : ConnectionHandler
{
    /// <summary>Bytes read from the log per system call.</summary>
    public const int ChunkSize = 64 * 1024;

    private readonly ExecutorOptions _options;
    private readonly LogWatchRegistry _watches;
    private readonly ILogger<LogStreamConnectionHandler> _logger;
    private readonly ZuulMetrics _metrics;
    private readonly CancellationToken _stopping;

    public LogStreamConnectionHandler(
        IOptions<ExecutorOptions> options,
        LogWatchRegistry watches,
        IHostApplicationLifetime lifetime,
        ZuulMetrics metrics,
        ILogger<LogStreamConnectionHandler> logger)
    {
        _options = options.Value;
        _watches = watches;
        _metrics = metrics;
        _logger = logger;
        _stopping = lifetime.ApplicationStopping;
    }

    public override async Task OnConnectedAsync(ConnectionContext connection)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed, _stopping);
        var outcome = StreamOutcome.Failed;
        string? buildId = null;
        long bytes = 0;
        try
        {
            (outcome, buildId, bytes) = await ServeAsync(connection, cts);
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            outcome = _stopping.IsCancellationRequested ? StreamOutcome.Shutdown : StreamOutcome.ClientGone;
        }
        catch (Exception e) when (e is ConnectionResetException or ConnectionAbortedException or IOException && connection.ConnectionClosed.IsCancellationRequested)
        {
            outcome = StreamOutcome.ClientGone;
        }
        catch (Exception e)
        {
            LogWarningStreamFailed(_logger, e, connection.ConnectionId, buildId);
        }

        if (outcome == StreamOutcome.Shutdown || (outcome == StreamOutcome.ClientGone && connection.ConnectionClosed.IsCancellationRequested))
        {
            // Do not let Kestrel wait to deliver buffered bytes to a reader that is gone or not reading.
            connection.Abort();
        }

        LogDebugStreamEnded(_logger, connection.ConnectionId, buildId, outcome, bytes);
    }

    private async Task<(StreamOutcome Outcome, string? BuildId, long Bytes)> ServeAsync(ConnectionContext connection, CancellationTokenSource cts)
    {
        var input = connection.Transport.Input;
        var output = connection.Transport.Output;
        var request = await FingerRequestReader.ReadAsync(input, _options.RequestTimeout, cts.Token);
        var requestedAt = Stopwatch.GetTimestamp();
        switch (request.Status)
        {
            case FingerRequestStatus.ClientClosed:
                return (StreamOutcome.NoRequest, null, 0);
            case FingerRequestStatus.TimedOut:
                LogDebugRequestTimedOut(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString());
                _metrics.Rejected(StreamRejection.RequestTimeout);
                await WriteLineAsync(output, FingerErrors.RequestTimeout, cts.Token);
                return (StreamOutcome.RequestTimedOut, null, 0);
            case FingerRequestStatus.TooLong:
                LogDebugRequestTooLong(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString());
                _metrics.Rejected(StreamRejection.RequestTooLong);
                await WriteLineAsync(output, FingerErrors.LineTooLong, cts.Token);
                return (StreamOutcome.RequestTooLong, null, 0);
            case FingerRequestStatus.InvalidBuildId:
                LogDebugInvalidBuildId(_logger, connection.ConnectionId, request.RawId);
                _metrics.Rejected(StreamRejection.InvalidRequest);
                await WriteLineAsync(output, FingerErrors.InvalidBuildId(request.RawId), cts.Token);
                return (StreamOutcome.InvalidBuildId, null, 0);
        }

        // One trace per hop: the finger request line has no room for a trace context (README "Traces").
        using var activity = ZuulTracing.StartStream("finger stream", ActivityKind.Server, request.BuildId, StreamHop.Direct);
        var job = JobDirectory.For(_options.JobRoot!, request.BuildId);
        if (!Directory.Exists(job.Path))
        {
            _metrics.Rejected(StreamRejection.BuildNotFound, activity);
            await WriteLineAsync(output, FingerErrors.BuildNotFound(request.BuildId), cts.Token);
            return (StreamOutcome.BuildNotFound, request.BuildId, 0);
        }

        if (!File.Exists(job.LogFile))
        {
            _metrics.Rejected(StreamRejection.LogNotFound, activity);
            await WriteLineAsync(output, FingerErrors.LogNotFound(request.BuildId), cts.Token);
            return (StreamOutcome.LogNotFound, request.BuildId, 0);
        }

        LogDebugStreamStarted(_logger, connection.ConnectionId, connection.RemoteEndPoint?.ToString(), request.BuildId);
        var discard = DiscardInputAsync(input, cts);
        var socket = _options.UseSendFile ? connection.Features.Get<IConnectionSocketFeature>()?.Socket : null;
        var meter = _metrics.StartStream(StreamHop.Direct, requestedAt);
        var follower = new LogFollower(job, output, socket, connection.Abort, _options.FollowRecheckInterval, meter);
        var outcome = StreamOutcome.Failed;
        try
        {
            outcome = await follower.RunAsync(_watches, cts.Token);
        }
        catch (OperationCanceledException)
        {
            // Cancelled by the client's EOF, a dropped connection, shutdown, or a flush that found the client gone.
            outcome = _stopping.IsCancellationRequested ? StreamOutcome.Shutdown : StreamOutcome.ClientGone;
        }
        catch (Exception e) when (e is SocketException or ConnectionResetException or ConnectionAbortedException)
        {
            // The client reset the connection while bytes were on their way.
            outcome = StreamOutcome.ClientGone;
        }
        finally
        {
            input.CancelPendingRead();
            await discard;
            follower.DisposeSendFile();
            var end = outcome switch
            {
                StreamOutcome.Finished or StreamOutcome.LogRemoved => StreamEnd.Completed,
                StreamOutcome.ClientGone => StreamEnd.ClientClosed,
                StreamOutcome.Shutdown => StreamEnd.Cancelled,
                _ => StreamEnd.Error,
            };
            meter.End(end);
            ZuulTracing.Ended(activity, end, follower.BytesSent);
        }

        return (outcome, request.BuildId, follower.BytesSent);
    }


    /// <summary>Reads and drops whatever the client sends after its request; its EOF ends the stream.</summary>
    private static async Task DiscardInputAsync(PipeReader input, CancellationTokenSource stream)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(stream.Token);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCanceled)
                {
                    return;
                }

                if (result.IsCompleted)
                {
                    await stream.CancelAsync();
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception)
        {
            // Reset or aborted: the stream is over either way.
            await stream.CancelAsync();
        }
    }

    private static async ValueTask WriteLineAsync(PipeWriter output, string line, CancellationToken cancellationToken)
    {
        output.Write(Encoding.UTF8.GetBytes(line));
        await output.FlushAsync(cancellationToken);
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Debug, Message = "Connection {ConnectionId} from {RemoteEndPoint} streams build {BuildId}")]
    private static partial void LogDebugStreamStarted(ILogger logger, string connectionId, string? remoteEndPoint, string buildId);

    [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Connection {ConnectionId} for build {BuildId} ended: {Outcome} after {Bytes} bytes")]
    private static partial void LogDebugStreamEnded(ILogger logger, string connectionId, string? buildId, StreamOutcome outcome, long bytes);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "Connection {ConnectionId} from {RemoteEndPoint} sent no request line in time")]
    private static partial void LogDebugRequestTimedOut(ILogger logger, string connectionId, string? remoteEndPoint);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Debug, Message = "Connection {ConnectionId} from {RemoteEndPoint} sent a request line that is too long")]
    private static partial void LogDebugRequestTooLong(ILogger logger, string connectionId, string? remoteEndPoint);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Debug, Message = "Connection {ConnectionId} asked for invalid build id '{RawId}'")]
    private static partial void LogDebugInvalidBuildId(ILogger logger, string connectionId, string rawId);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Connection {ConnectionId} for build {BuildId} failed")]
    private static partial void LogWarningStreamFailed(ILogger logger, Exception exception, string connectionId, string? buildId);
}
