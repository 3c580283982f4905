using System.Buffers;
using Microsoft.AspNetCore.Http;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// The unshared HTTP log's copy loop: the log from an offset into the response, whole characters only until the log
/// ends, cut for a running build once no byte came for <see cref="BuildLogEndpoint.IdleCut"/> or after
/// <see cref="BuildLogEndpoint.LongestResponse"/>. It keeps its position across upstreams, so a resumed upstream (read
/// from <see cref="Read"/> on) continues the same response.
/// </summary>
internal sealed class ResponsePump(long offset, bool cut) : IDisposable
{
    private const int ChunkSize = 64 * 1024;

    private readonly byte[] _buffer = ArrayPool<byte>.Shared.Rent(ChunkSize + 4);
    private readonly long _deadline = TimeProvider.System.GetTimestamp() + (long)(BuildLogEndpoint.LongestResponse.TotalSeconds * TimeProvider.System.TimestampFrequency);
    private int _carry; // bytes of an unfinished character kept at the start of the buffer

    /// <summary>Bytes read from upstreams in all (from the log's start): where a resumed upstream goes on.</summary>
    public long Read { get; private set; }

    /// <summary>Bytes sent to the client.</summary>
    public long Sent { get; private set; }

    /// <summary>
    /// Copies until the upstream ends (<see cref="LogResponseEnd.BuildEnded"/>, with the upstream's error if it broke:
    /// the caller decides whether that was the build's end) or a cut is due. A failure to write to the client throws.
    /// </summary>
    public async Task<(LogResponseEnd End, Exception? UpstreamError)> RunAsync(Stream upstream, HttpResponse response, StreamMeter meter, CancellationToken aborted)
    {
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        while (true)
        {
            if (cut)
            {
                idle.CancelAfter(BuildLogEndpoint.IdleCut);
            }

            int n;
            try
            {
                n = await upstream.ReadAsync(_buffer.AsMemory(_carry, ChunkSize), idle.Token);
            }
            catch (OperationCanceledException) when (!aborted.IsCancellationRequested)
            {
                return (LogResponseEnd.CaughtUp, null);
            }
            catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException)
            {
                return (LogResponseEnd.BuildEnded, ex);
            }

            if (n == 0)
            {
                return (LogResponseEnd.BuildEnded, null);
            }

            var start = _carry;
            var skip = (int)Math.Clamp(offset - Read, 0, n);
            Read += n;
            start += skip;
            n -= skip;
            Buffer.BlockCopy(_buffer, start, _buffer, _carry, n);
            var total = _carry + n;
            var complete = Utf8Boundary.CompleteLength(_buffer.AsSpan(0, total));
            if (complete > 0)
            {
                await response.Body.WriteAsync(_buffer.AsMemory(0, complete), aborted);
                await response.Body.FlushAsync(aborted);
                Sent += complete;
                meter.Relayed(complete);
            }

            _carry = total - complete;
            Buffer.BlockCopy(_buffer, complete, _buffer, 0, _carry);
            if (cut && TimeProvider.System.GetTimestamp() > _deadline)
            {
                return (LogResponseEnd.LongestReached, null);
            }
        }
    }

    /// <summary>At the log's end: the bytes of an unfinished character go out as they are (the log ends there).</summary>
    public async Task FlushAsync(HttpResponse response, StreamMeter meter, CancellationToken aborted)
    {
        if (_carry > 0)
        {
            await response.Body.WriteAsync(_buffer.AsMemory(0, _carry), aborted);
            Sent += _carry;
            meter.Relayed(_carry);
            _carry = 0;
        }
    }

    public void Dispose() => ArrayPool<byte>.Shared.Return(_buffer);
}
