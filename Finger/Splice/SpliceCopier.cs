using System.Buffers;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static Zuul.LiveLog.Finger.Splice.LinuxSyscalls;

namespace Zuul.LiveLog.Finger.Splice;

/// <summary>
/// Copies upstream to client with Linux <c>splice(2)</c>: socket to a pooled kernel pipe to socket, so relayed bytes
/// never enter user space. A client whose socket buffer is full gets the rest of that piece through the socket's own
/// asynchronous send (readiness waiting is the runtime's); a relay finding no pipe to borrow copies that piece instead.
/// </summary>
internal static class SpliceCopier
{
    /// <summary>User-space piece size when a pipe is not available or the client is slow.</summary>
    private const int CopySize = 64 * 1024;

    public static bool IsSupported => OperatingSystem.IsLinux();

    public static async Task<RelayResult> CopyAsync(NetworkStream upstreamStream, Socket client, KernelPipePool pool, IRelayProgress? progress, CancellationToken cancellationToken)
    {
        var upstream = upstreamStream.Socket;
        long total = 0;
        bool upstreamRef = false, clientRef = false;
        try
        {
            // Keep both descriptors open while we use their numbers, even if a socket is disposed meanwhile.
            upstream.SafeHandle.DangerousAddRef(ref upstreamRef);
            client.SafeHandle.DangerousAddRef(ref clientRef);
            var upstreamFd = (int)upstream.SafeHandle.DangerousGetHandle();
            var clientFd = (int)client.SafeHandle.DangerousGetHandle();
            while (true)
            {
                // Wait for data (or the end) without holding a buffer or a pipe.
                await upstream.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                var pipe = pool.Rent();
                if (pipe is null)
                {
                    var copied = await client.CopyPieceAsync(upstreamStream, CopySize, cancellationToken).ConfigureAwait(false);
                    if (copied < 0)
                    {
                        return new RelayResult(RelayOutcome.ClientClosed, total, null);
                    }

                    if (copied == 0)
                    {
                        return new RelayResult(RelayOutcome.UpstreamCompleted, total, null);
                    }

                    total += copied;
                    progress?.Relayed(copied);
                    continue;
                }

                var empty = true;
                try
                {
                    while (true)
                    {
                        var n = LinuxSyscalls.Splice(upstreamFd, 0, pipe.WriteFd, 0, (nuint)pipe.Capacity, SpliceMove | SpliceNonBlock);
                        if (n == 0)
                        {
                            return new RelayResult(RelayOutcome.UpstreamCompleted, total, null);
                        }

                        if (n < 0)
                        {
                            var errno = Marshal.GetLastPInvokeError();
                            if (errno == EINTR)
                            {
                                continue;
                            }

                            if (errno == EAGAIN)
                            {
                                break; // all read: give the pipe back while we wait
                            }

                            return new RelayResult(RelayOutcome.UpstreamFailed, total, Failure("reading the upstream", errno));
                        }

                        empty = false;
                        var left = (int)n;
                        while (left > 0)
                        {
                            var m = LinuxSyscalls.Splice(pipe.ReadFd, 0, clientFd, 0, (nuint)left, SpliceMove | SpliceNonBlock);
                            if (m > 0)
                            {
                                left -= (int)m;
                                total += m;
                                progress?.Relayed(m);
                                continue;
                            }

                            var errno = m < 0 ? Marshal.GetLastPInvokeError() : 0;
                            if (errno == EINTR)
                            {
                                continue;
                            }

                            if (errno != EAGAIN)
                            {
                                return new RelayResult(RelayOutcome.ClientClosed, total, null);
                            }

                            // A slow client: send the rest of this piece through the runtime, which waits for room.
                            var sent = await SendFromPipeAsync(pipe, client, left, cancellationToken).ConfigureAwait(false);
                            total += sent;
                            progress?.Relayed(sent);
                            if (sent < left)
                            {
                                return new RelayResult(RelayOutcome.ClientClosed, total, null);
                            }

                            left = 0;
                        }

                        empty = true;
                    }
                }
                finally
                {
                    pool.Return(pipe, empty);
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new RelayResult(RelayOutcome.Cancelled, total, null);
        }
        catch (Exception ex) when (ex is SocketException or IOException)
        {
            // Only the upstream (its wait or a copied piece) throws here; client failures end the loop as ClientClosed above.
            return new RelayResult(RelayOutcome.UpstreamFailed, total, ex);
        }
        catch (ObjectDisposedException)
        {
            // We dispose the upstream only after the relay; a disposed socket here is the client's (connection aborted).
            return new RelayResult(RelayOutcome.ClientClosed, total, null);
        }
        finally
        {
            if (clientRef)
            {
                client.SafeHandle.DangerousRelease();
            }

            if (upstreamRef)
            {
                upstream.SafeHandle.DangerousRelease();
            }
        }
    }

    /// <summary>Moves <paramref name="count"/> bytes out of the pipe and sends them; returns how many the client took.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))] // a slow client waits here often: no allocation per wait
    private static async ValueTask<int> SendFromPipeAsync(KernelPipe pipe, Socket client, int count, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(CopySize);
        var sent = 0;
        try
        {
            while (sent < count)
            {
                var read = (int)Read(pipe.ReadFd, buffer, (nuint)Math.Min(count - sent, buffer.Length));
                if (read <= 0)
                {
                    return sent; // cannot happen with bytes in the pipe; stop rather than spin
                }

                await client.SendAllAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);

                sent += read;
            }

            return sent;
        }
        catch (SocketException)
        {
            return sent;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static IOException Failure(string what, int errno) =>
        new($"splice failed {what}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
}
