using System.Buffers;
using System.Threading.Tasks.Sources;

namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>
/// One client of a build's shared stream: its position in the log, and the loop that brings it the bytes past it
/// from the stream's window through its <see cref="IStreamSink"/>. A client that is behind the window (it joined late
/// or was too slow) reads from its own upstream connection until it reaches the window, then joins it again; no byte
/// is lost or repeated, as both are the same log from its first byte.
/// </summary>
/// <remarks>
/// Ownership of the position and the sink is passed, never shared: <see cref="Running"/> = this loop; <see cref="Parked"/>
/// = waiting in the stream's list (the loop awaits a wake); <see cref="Pushing"/> = the stream's reader sending to it inline.
/// </remarks>
public sealed class Subscription : IValueTaskSource
{
    internal const int Running = 0;
    internal const int Parked = 1;
    internal const int Pushing = 2;
    private const int CopySize = 64 * 1024;

    private readonly SharedBuildStream _stream;
    private readonly long _startOffset;
    private readonly IRelayProgress? _progress;
    private ManualResetValueTaskSourceCore<bool> _wake = new() { RunContinuationsAsynchronously = true };
    private int _state;
    private volatile bool _stopped;
    private volatile bool _cut;
    private int _catchUps;

    internal Subscription(SharedBuildStream stream, IStreamSink sink, long offset, IRelayProgress? progress)
    {
        _stream = stream;
        Sink = sink;
        _progress = progress;
        Position = _startOffset = offset;
        Seen = offset;
    }

    internal IStreamSink Sink { get; }

    /// <summary>Bytes of the log the client has: where its next byte comes from.</summary>
    public long Position { get; internal set; }

    /// <summary>The window's end when bytes were last offered: a text sink that left an unfinished character waits past it.</summary>
    internal long Seen { get; set; }

    /// <summary>Reading from the window (false while catching up on its own upstream).</summary>
    internal bool Attached { get; set; }

    /// <summary>Counted as a client of the stream (until the loop ends).</summary>
    internal bool Member { get; set; }

    internal bool StopRequested => _stopped || _cut;

    internal bool IsCut => _cut;

    /// <summary>When it last parked (Stopwatch timestamp), for the HTTP response's idle cut.</summary>
    internal long ParkedAt { get; set; }

    /// <summary>Parked and idle since <see cref="ParkedAt"/>.</summary>
    public bool IsParked => Volatile.Read(ref _state) == Parked;

    /// <summary>How long it has been waiting for new bytes (zero when it is not waiting).</summary>
    public TimeSpan IdleFor => IsParked ? System.Diagnostics.Stopwatch.GetElapsedTime(ParkedAt) : TimeSpan.Zero;

    /// <summary>Brings the client the log until the stream ends, the client goes, or <paramref name="cancellationToken"/> fires.</summary>
    public async Task<ShareResult> RunAsync(CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.UnsafeRegister(static s => ((Subscription)s!).Stop(), this);
        try
        {
            while (true)
            {
                if (cancellationToken.IsCancellationRequested)
                {
                    return Result(ShareOutcome.Cancelled);
                }

                switch (_stream.Decide(this, out var from, out var to, out var final))
                {
                    case Decision.Send:
                        var sent = await SendAsync(from, to, final, cancellationToken).ConfigureAwait(false);
                        if (sent is { } end)
                        {
                            return end;
                        }

                        break;
                    case Decision.Parked:
                        await new ValueTask(this, _wake.Version).ConfigureAwait(false);
                        break;
                    case Decision.Behind:
                        if (await CatchUpAsync(cancellationToken).ConfigureAwait(false) is { } caught)
                        {
                            return caught;
                        }

                        break;
                    case Decision.Ended:
                        return Result(ShareOutcome.Completed);
                    case Decision.Failed:
                        return Result(ShareOutcome.Failed, _stream.FailureMessage) with { Hop = _stream.UpstreamHop, Problem = _stream.FailureProblem };
                    case Decision.Cut:
                        return Result(ShareOutcome.Cut);
                    default:
                        return Result(cancellationToken.IsCancellationRequested ? ShareOutcome.Cancelled : ShareOutcome.ClientGone);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return Result(ShareOutcome.Cancelled);
        }
        finally
        {
            _stream.Leave(this);
        }
    }

    /// <summary>The client took <paramref name="bytes"/> more (whoever holds the subscription sends: its loop, or the reader).</summary>
    internal void Advance(long bytes)
    {
        if (bytes > 0)
        {
            Position += bytes;
            _progress?.Relayed(bytes);
        }
    }

    /// <summary>Ends the loop at its next step (the client went, or shutdown).</summary>
    public void Stop()
    {
        _stopped = true;
        WakeIfParked();
    }

    /// <summary>Ends the loop once it has sent what it has and waits for more: the HTTP log response ends there.</summary>
    public void Cut()
    {
        _cut = true;
        WakeIfParked();
    }

    private ShareResult Result(ShareOutcome outcome, string? message = null) => new(outcome, Position - _startOffset, message, _catchUps);

    private async ValueTask<ShareResult?> SendAsync(long from, long to, bool final, CancellationToken cancellationToken)
    {
        SinkProgress progress;
        try
        {
            progress = await Sink.SendAsync(_stream.Window, from, to, final, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
        {
            return Result(ShareOutcome.ClientGone);
        }

        Advance(progress.Taken);
        Seen = to;
        return progress.Status switch
        {
            SinkStatus.Gone => Result(ShareOutcome.ClientGone),
            SinkStatus.Dropped => null, // the next decision finds it behind
            _ => null,
        };
    }

    /// <summary>
    /// Reads the log from its first byte on an upstream connection of its own, sends what the client does not have yet,
    /// and joins the window again as soon as it reaches it (null = joined). Its ends are judged as the shared upstream's
    /// are (the source's continuation: resumed by offset when a hop failed, the build's end, or a failure); the build
    /// ending first ends the client's stream as usual; no own upstream to be had ends it with a failure.
    /// </summary>
    private async ValueTask<ShareResult?> CatchUpAsync(CancellationToken cancellationToken)
    {
        _catchUps++;
        var opening = await _stream.OpenOwnUpstreamAsync(cancellationToken).ConfigureAwait(false);
        if (!opening.Ok)
        {
            return Result(ShareOutcome.Failed, opening.Message);
        }

        var upstream = opening.Stream!;
        var hop = opening.Hop ?? opening.Target;
        var resumes = 0;
        var buffer = ArrayPool<byte>.Shared.Rent(CopySize + 4);
        try
        {
            long read = 0; // bytes of the log read from the own upstream
            var carry = 0;  // bytes after Position kept at the buffer's start (an unfinished character for a text sink)
            while (true)
            {
                if (StopRequested)
                {
                    return Result(_cut ? ShareOutcome.Cut : ShareOutcome.ClientGone);
                }

                int n;
                Exception? error = null;
                try
                {
                    n = await upstream.ReadAsync(buffer.AsMemory(carry, CopySize), cancellationToken).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
                {
                    (n, error) = (0, ex);
                }

                // An end that is not a refusal (the first upstream ending cleanly without a byte fails at once, below)
                // is judged: a hop that failed is resumed after the bytes read, and the loop goes on.
                if (n == 0 && !(error is null && read == 0 && resumes == 0) && opening.Continuation is { } continuation)
                {
                    var next = await continuation.NextAsync(read, error, cancellationToken).ConfigureAwait(false);
                    if (next.Resumed)
                    {
                        await upstream.DisposeAsync().ConfigureAwait(false);
                        upstream = next.Stream!;
                        hop = next.Target ?? hop;
                        resumes++;
                        continue;
                    }

                    if (next.Failed)
                    {
                        return Result(ShareOutcome.Failed) with { Hop = hop, Problem = "catching up: " + next.Problem };
                    }
                }
                else if (error is not null)
                {
                    return Result(ShareOutcome.Failed) with { Hop = hop, Problem = "catching up: " + error.Message };
                }

                var skip = read + n <= Position ? n : (int)Math.Max(0, Position - read);
                read += n;
                var total = carry + n - skip;
                if (skip > 0)
                {
                    Buffer.BlockCopy(buffer, carry + skip, buffer, carry, n - skip);
                }

                if (n == 0 || total > 0)
                {
                    SinkProgress progress;
                    try
                    {
                        progress = await Sink.SendAsync(buffer.AsMemory(0, total), n == 0, cancellationToken).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is IOException or InvalidOperationException or ObjectDisposedException or System.Net.WebSockets.WebSocketException)
                    {
                        return Result(ShareOutcome.ClientGone);
                    }

                    if (progress.Status == SinkStatus.Gone)
                    {
                        return Result(ShareOutcome.ClientGone);
                    }

                    Advance(progress.Taken);
                    carry = total - (int)progress.Taken;
                    Buffer.BlockCopy(buffer, (int)progress.Taken, buffer, 0, carry);
                }

                if (n == 0)
                {
                    // The build's end, or a refusal. An own upstream that ends before the bytes the client already has,
                    // or before those the shared stream has seen (the next hop refused it with an error line), is no end
                    // of the log: a failure (the connection is reset), never a clean end after a truncated log.
                    return read < Math.Max(Position, _stream.Window.End)
                        ? Result(ShareOutcome.Failed) with { Hop = hop, Problem = $"catching up: it ended after {read} bytes, short of the {Math.Max(Position, _stream.Window.End)} already seen" }
                        : Result(ShareOutcome.Completed);
                }

                if (read >= Position && _stream.TryRejoin(this))
                {
                    return null;
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            await upstream.DisposeAsync().ConfigureAwait(false);
        }
    }

    // ---- Parking and waking (the stream's side) ----

    /// <summary>Prepares a wait; the caller then parks it in the stream's list under the stream's lock.</summary>
    internal void PrepareToPark()
    {
        _wake.Reset();
        ParkedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        Volatile.Write(ref _state, Parked);
    }

    /// <summary>The reader takes a parked subscription to send to it inline; false when it was woken meanwhile.</summary>
    internal bool TryTakeForPush() => Interlocked.CompareExchange(ref _state, Pushing, Parked) == Parked;

    /// <summary>Back to waiting after an inline push (the caller holds the stream's lock and puts it in the list).</summary>
    internal void ParkAgain()
    {
        ParkedAt = System.Diagnostics.Stopwatch.GetTimestamp();
        Volatile.Write(ref _state, Parked);
    }

    /// <summary>Hands a subscription the reader holds back to its loop.</summary>
    internal void WakeFromPush()
    {
        Volatile.Write(ref _state, Running);
        _wake.SetResult(true);
    }

    /// <summary>Wakes a parked subscription's loop (stream ended or failed, client gone, a sink the reader cannot write).</summary>
    internal bool WakeIfParked()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Parked) != Parked)
        {
            return false;
        }

        _wake.SetResult(true);
        return true;
    }

    void IValueTaskSource.GetResult(short token) => _wake.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _wake.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _wake.OnCompleted(continuation, state, token, flags);
}

/// <summary>What a subscription's loop does next.</summary>
internal enum Decision
{
    Send,
    Parked,
    Behind,
    Ended,
    Failed,
    Cut,
    Gone,
}
