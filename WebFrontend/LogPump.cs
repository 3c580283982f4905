using System.Buffers;
using System.Net.Sockets;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// Copies a build's log from finger upstreams to one web client (a websocket or an HTTP response) in whole UTF-8
/// characters, skipping what the client already has (its resume offset), and keeps the position a resumed upstream
/// starts from. Optionally cut: once no byte came for a while, or after a longest time (the HTTP log of a running build).
/// </summary>
/// <param name="offset">Log bytes the client already has.</param>
/// <param name="write">Sends bytes to the client; every call but the last (<see cref="FlushAsync"/>) holds whole characters.</param>
/// <param name="progress">Counts the bytes sent.</param>
/// <param name="idleCut">Stops with <see cref="LogPumpStop.Idle"/> once no byte came for this long; null: never.</param>
/// <param name="longest">Stops with <see cref="LogPumpStop.LongestReached"/> after this long; null: never.</param>
internal sealed class LogPump(
    long offset,
    Func<ReadOnlyMemory<byte>, CancellationToken, ValueTask> write,
    IRelayProgress progress,
    TimeSpan? idleCut = null,
    TimeSpan? longest = null) : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + 4);
    private readonly long _deadline = longest is { } l ? TimeProvider.System.GetTimestamp() + (long)(l.TotalSeconds * TimeProvider.System.TimestampFrequency) : long.MaxValue;
    private int _carry;  // bytes of an unfinished UTF-8 character kept at the start of the buffer
    private long _seen;  // log bytes read, counting from the log's first byte

    /// <summary>Log bytes the client has (sent to it, or skipped as it had them already): where a resumed upstream starts.</summary>
    public long Position => _seen - _carry;

    /// <summary>Bytes sent to the client.</summary>
    public long Sent { get; private set; }

    /// <summary>
    /// Copies until the upstream ends (<see cref="LogPumpStop.UpstreamEnded"/>, with the upstream's error if it broke,
    /// null at a clean end of stream: the caller decides whether that was the build's end) or a cut is due. The client's
    /// errors and cancellation are thrown.
    /// </summary>
    public async Task<(LogPumpStop Stop, Exception? UpstreamError)> RunAsync(Stream upstream, CancellationToken cancellationToken)
    {
        using var idle = idleCut is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        while (true)
        {
            idle?.CancelAfter(idleCut!.Value);
            int n;
            try
            {
                n = await upstream.ReadAsync(_buffer.AsMemory(_carry, ChunkSize), idle?.Token ?? cancellationToken);
            }
            catch (OperationCanceledException) when (idle is not null && !cancellationToken.IsCancellationRequested)
            {
                return (LogPumpStop.Idle, null);
            }
            catch (Exception ex) when (ex is IOException or SocketException && !cancellationToken.IsCancellationRequested)
            {
                return (LogPumpStop.UpstreamEnded, ex);
            }

            if (n == 0)
            {
                return (LogPumpStop.UpstreamEnded, null);
            }

            // Drop what the client already has (resume by offset).
            var skip = (int)Math.Clamp(offset - _seen, 0, n);
            _seen += n;
            if (skip > 0)
            {
                Buffer.BlockCopy(_buffer, _carry + skip, _buffer, _carry, n - skip);
                n -= skip;
            }

            var total = _carry + n;
            var complete = Utf8Boundary.CompleteLength(_buffer.AsSpan(0, total));
            if (complete > 0)
            {
                await SendAsync(complete, cancellationToken);
            }

            _carry = total - complete;
            if (_carry > 0)
            {
                Buffer.BlockCopy(_buffer, complete, _buffer, 0, _carry);
            }

            if (TimeProvider.System.GetTimestamp() > _deadline)
            {
                return (LogPumpStop.LongestReached, null);
            }
        }
    }

    /// <summary>A resumed upstream starts at <see cref="Position"/>: an unfinished character is read again from it.</summary>
    public void Resumed()
    {
        _seen = Position;
        _carry = 0;
    }

    /// <summary>At the build's end: an unfinished last character is sent as it is (the log ends there).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        if (_carry > 0)
        {
            await SendAsync(_carry, cancellationToken);
            _carry = 0;
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);

    private async Task SendAsync(int count, CancellationToken cancellationToken)
    {
        await write(_buffer.AsMemory(0, count), cancellationToken);
        Sent += count;
        progress.Relayed(count);
    }
}

/// <summary>Why <see cref="LogPump.RunAsync"/> returned.</summary>
internal enum LogPumpStop
{
    /// <summary>The upstream ended, cleanly or with an error.</summary>
    UpstreamEnded,

    /// <summary>No byte came for the idle cut.</summary>
    Idle,

    /// <summary>The longest time was reached.</summary>
    LongestReached,
}
