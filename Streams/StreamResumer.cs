using System.Buffers;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Streams;

/// <summary>
/// The one rule for the end of an upstream (PROTOCOL.md section 6, "When a stream ends"): the end is the build's end
/// only when the build's grain says it finished; otherwise a hop failed (executor, gateway or silo restarting), and the
/// stream is opened again (a fresh resolution, so another gateway of the zone or the same one once it is back), the bytes
/// the client already has are read and dropped, and the relay goes on. Finger has no offset, so skipping means reading.
/// Attempts go on for <see cref="FingerConnectorOptions.ResumeWindow"/> without progress, then the stream fails.
/// Shared by the finger gateway and the web frontend so both decide the same way.
/// </summary>
public sealed partial class StreamResumer(
    BuildStreamOpener opener, IGrainFactory grains, FingerConnector connector, TimeProvider time, ILogger<StreamResumer> logger)
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(2);

    public TimeSpan Window => connector.Options.ResumeWindow;

    private ILogger Logger => logger;

    private TimeProvider Time => time;

    /// <summary>Starts following one stream's upstream ends (one per client stream).</summary>
    public Continuation Begin(string buildId, OpenedStream opened) => new(this, buildId, opened.Hop);

    /// <summary>The build's state as the cluster knows it now; <see cref="BuildState.Unknown"/> when it cannot tell.</summary>
    public async Task<BuildState> StateAsync(string buildId) => (await LookUpAsync(buildId).ConfigureAwait(false)).State;

    /// <summary>
    /// The build's state, and whether the cluster knows the build at all: <c>Registered</c> is false only when the grain
    /// answered that no such build is registered, not when it could not be asked.
    /// </summary>
    private async Task<(BuildState State, bool Registered)> LookUpAsync(string buildId)
    {
        try
        {
            var info = await grains.GetGrain<IBuildGrain>(buildId).GetAsync().WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            return (info?.State ?? BuildState.Unknown, info is not null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogDebugStateUnknown(logger, buildId, ex.Message);
            return (BuildState.Unknown, true);
        }
    }

    private async Task<ResumeResult> ResumeAsync(string buildId, string failedTarget, long delivered, DateTimeOffset deadline, CancellationToken cancellationToken)
    {
        var delay = FirstRetryDelay;
        var attempts = 0;
        var lastProblem = "no attempt";
        while (true)
        {
            var (state, registered) = await LookUpAsync(buildId).ConfigureAwait(false);
            if (state == BuildState.Finished)
            {
                return ResumeResult.BuildFinished;
            }

            var left = deadline - time.GetUtcNow();
            if (left <= TimeSpan.Zero)
            {
                LogWarningGaveUp(logger, buildId, failedTarget, delivered, attempts, lastProblem);
                return ResumeResult.GaveUp(lastProblem);
            }

            if (!registered)
            {
                // The record is gone for now (storage lost with a silo; the executor registers its builds again when
                // it reconnects). The next hop would answer with Zuul's "not found" line, and finger has no framing:
                // skipping the delivered bytes of an error line would pass its tail on as log bytes. Wait for the record.
                lastProblem = "the cluster does not know the build (waiting for its executor to register it again)";
                await Task.Delay(Min(delay, left), time, cancellationToken).ConfigureAwait(false);
                delay = Min(delay * 2, MaxRetryDelay);
                continue;
            }

            attempts++;
            using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attempt.CancelAfter(left);
            try
            {
                var opened = await opener.OpenAsync(buildId, attempt.Token).ConfigureAwait(false);
                if (opened.Ok)
                {
                    var skipped = await SkipAsync(opened.Stream!, buildId, delivered, attempt.Token).ConfigureAwait(false);
                    if (skipped == Skip.Done)
                    {
                        LogInformationResumed(logger, buildId, failedTarget, opened.Hop, delivered, attempts);
                        return ResumeResult.Resumed(opened);
                    }

                    await opened.Stream!.DisposeAsync().ConfigureAwait(false);
                    lastProblem = skipped == Skip.ErrorReply
                        ? $"{opened.Target} answered with an error line instead of the log"
                        : $"{opened.Target} sent fewer than the {delivered} bytes already delivered";
                }
                else
                {
                    lastProblem = opened.Message.TrimEnd();
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastProblem = "the new upstream did not send the bytes already delivered within the resume window";
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                lastProblem = ex.Message;
            }

            var wait = Min(delay, deadline - time.GetUtcNow());
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
            }

            delay = Min(delay * 2, MaxRetryDelay);
        }
    }

    private enum Skip
    {
        Done,
        EndedShort,
        ErrorReply,
    }

    /// <summary>
    /// Reads and drops the first <paramref name="count"/> bytes, checking that they begin the log and not one of our
    /// error lines (<see cref="FingerErrors.IsErrorReply"/>: the hop answered "not found", "shutting down", ...).
    /// </summary>
    private static async Task<Skip> SkipAsync(Stream stream, string buildId, long count, CancellationToken cancellationToken)
    {
        if (count == 0)
        {
            return Skip.Done;
        }

        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(count, FingerRelay.ReadSize));
        try
        {
            var first = true;
            while (count > 0)
            {
                var n = await stream.ReadAsync(buffer.AsMemory(0, (int)Math.Min(count, buffer.Length)), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    return Skip.EndedShort;
                }

                if (first && FingerErrors.IsErrorReply(buffer.AsSpan(0, n), buildId))
                {
                    return Skip.ErrorReply;
                }

                first = false;
                count -= n;
            }

            return Skip.Done;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>One client stream's upstream ends: the resume window runs from the first end without progress since.</summary>
    public sealed class Continuation
    {
        private readonly StreamResumer _resumer;
        private readonly string _buildId;
        private long _deliveredAtOutage = -1;
        private long _resumedAt = -1;
        private DateTimeOffset _deadline;

        internal Continuation(StreamResumer resumer, string buildId, string hop)
        {
            _resumer = resumer;
            _buildId = buildId;
            Target = hop;
        }

        /// <summary>The hop the stream currently comes from (<see cref="OpenedStream.Hop"/>), named in log lines.</summary>
        public string Target { get; private set; }

        /// <summary>How many times the stream was resumed.</summary>
        public int Resumes { get; private set; }

        /// <summary>
        /// The upstream ended (<paramref name="error"/> null: a clean end of stream) after the client got
        /// <paramref name="delivered"/> bytes in all: is that the build's end, a resumed stream, or a failure?
        /// </summary>
        public async Task<ResumeResult> NextAsync(long delivered, Exception? error, CancellationToken cancellationToken)
        {
            var state = await _resumer.StateAsync(_buildId).ConfigureAwait(false);
            if (state == BuildState.Finished)
            {
                return ResumeResult.BuildFinished;
            }

            if (error is null && delivered == _resumedAt)
            {
                // Reopened, it served every byte again and closed cleanly at once: the upstream is alive, and a live
                // executor (or a gateway, which passes a failure on as a reset) closes cleanly only at the build's end.
                // The cluster cannot always say so itself (ZooKeeper out of reach holds the finish back).
                LogInformationEndedAgain(_resumer.Logger, _buildId, Target, delivered, state);
                return ResumeResult.BuildFinished;
            }

            if (_resumer.Window <= TimeSpan.Zero)
            {
                LogWarningUpstreamLost(_resumer.Logger, _buildId, Target, delivered, error?.Message ?? "end of stream", state);
                return ResumeResult.GaveUp($"{Target} ended the stream while the build runs");
            }

            if (delivered != _deliveredAtOutage)
            {
                // Progress since the last outage (or the first one): a new window.
                _deliveredAtOutage = delivered;
                _deadline = _resumer.Time.GetUtcNow() + _resumer.Window;
            }

            LogWarningUpstreamLost(_resumer.Logger, _buildId, Target, delivered, error?.Message ?? "end of stream", state);
            var result = await _resumer.ResumeAsync(_buildId, Target, delivered, _deadline, cancellationToken).ConfigureAwait(false);
            if (result.Stream is not null)
            {
                Target = result.Target!;
                Resumes++;
                _resumedAt = delivered;
            }

            return result;
        }
    }

    [LoggerMessage(110, LogLevel.Warning, "Build {BuildId}: upstream {Target} ended the stream after {Bytes} bytes while the build is {State} ({Error})")]
    private static partial void LogWarningUpstreamLost(ILogger logger, string buildId, string target, long bytes, string error, BuildState state);

    [LoggerMessage(111, LogLevel.Information, "Build {BuildId}: stream resumed at byte {Bytes} via {Target} (was {Failed}; attempt {Attempts})")]
    private static partial void LogInformationResumed(ILogger logger, string buildId, string failed, string target, long bytes, int attempts);

    [LoggerMessage(112, LogLevel.Warning, "Build {BuildId}: upstream {Target} failed after {Bytes} bytes and no hop could resume the stream within the window ({Attempts} attempts; last: {Problem})")]
    private static partial void LogWarningGaveUp(ILogger logger, string buildId, string target, long bytes, int attempts, string problem);

    [LoggerMessage(114, LogLevel.Information, "Build {BuildId}: {Target} served all {Bytes} bytes again and ended cleanly: the build's end, though the cluster still says {State}")]
    private static partial void LogInformationEndedAgain(ILogger logger, string buildId, string target, long bytes, BuildState state);

    [LoggerMessage(113, LogLevel.Debug, "Build {BuildId}: the cluster could not say whether the build finished: {Error}")]
    private static partial void LogDebugStateUnknown(ILogger logger, string buildId, string error);
}

/// <summary>What <see cref="StreamResumer"/> decided about an upstream's end.</summary>
public sealed record ResumeResult(ResumeOutcome Outcome, Stream? Stream, string? Target, string? Problem)
{
    public static readonly ResumeResult BuildFinished = new(ResumeOutcome.BuildFinished, null, null, null);

    public static ResumeResult Resumed(OpenedStream opened) => new(ResumeOutcome.Resumed, opened.Stream, opened.Hop, null);

    public static ResumeResult GaveUp(string problem) => new(ResumeOutcome.GaveUp, null, null, problem);
}

public enum ResumeOutcome
{
    /// <summary>The build finished: the end was the log's end (every byte was sent before it).</summary>
    BuildFinished,

    /// <summary>A new upstream, positioned after the bytes already delivered.</summary>
    Resumed,

    /// <summary>No hop could continue the stream within the window: a failure the client must be told about.</summary>
    GaveUp,
}
