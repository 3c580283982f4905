using System.IO.Pipelines;
using System.Net.Sockets;
using Zuul.LiveLog.Finger.Splice;

namespace Zuul.LiveLog.Finger;

/// <summary>
/// Relays a finger stream between a client (a pipe) and an upstream (a stream): one copy loop per direction,
/// reads straight into the client pipe's memory (no intermediate buffer, no allocation per chunk), and
/// zero-byte reads while idle so a quiet stream holds no buffer. When both ends are plain sockets on Linux the
/// bytes go upstream to client with <c>splice(2)</c> instead and never enter user space.
/// </summary>
public static class FingerRelay
{
    /// <summary>Bytes asked of the upstream per read; large reads keep the syscall count low.</summary>
    public const int ReadSize = 64 * 1024;

    /// <param name="client">The client connection's pipes (what the client sends after its request is read and dropped).</param>
    /// <param name="upstream">The opened finger stream.</param>
    /// <param name="clientSocket">
    /// The client's socket when <paramref name="client"/> is that socket's plain transport (no TLS in between) and
    /// nothing else writes to it during the relay: bytes then go to it directly, with <c>splice(2)</c> from a plain
    /// upstream socket, or from a pooled buffer otherwise (TLS upstream).
    /// </param>
    /// <param name="progress">Told about the bytes sent to the client, piece by piece (metrics); null = nobody.</param>
    /// <param name="cancellationToken">Ends the relay (shutdown, or the client connection closing).</param>
    public static async Task<RelayResult> RunAsync(IDuplexPipe client, Stream upstream, Socket? clientSocket, IRelayProgress? progress, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var down = PathFor(upstream, clientSocket) switch
        {
            RelayPath.Splice => SpliceCopier.CopyAsync((NetworkStream)upstream, clientSocket!, KernelPipePool.Shared, progress, cts.Token),
            RelayPath.SocketCopy => CopyUpstreamToSocketAsync(upstream, clientSocket!, progress, cts.Token),
            _ => CopyUpstreamToClientAsync(upstream, client.Output, progress, cts.Token),
        };
        var up = DrainClientAsync(client.Input, cts.Token);
        var first = await Task.WhenAny(down, up).ConfigureAwait(false);
        await cts.CancelAsync().ConfigureAwait(false);
        RelayResult result;
        if (first == down)
        {
            result = await down.ConfigureAwait(false);
            await up.ConfigureAwait(false);
        }
        else
        {
            var downResult = await down.ConfigureAwait(false);
            result = cancellationToken.IsCancellationRequested
                ? downResult with { Outcome = RelayOutcome.Cancelled }
                : downResult with { Outcome = RelayOutcome.ClientClosed };
        }

        return result;
    }

    /// <summary>The path <see cref="RunAsync"/> takes for these ends (see its <c>clientSocket</c> parameter).</summary>
    public static RelayPath PathFor(Stream upstream, Socket? clientSocket) =>
        clientSocket is null ? RelayPath.PipeCopy
        : upstream is NetworkStream && SpliceCopier.IsSupported ? RelayPath.Splice
        : RelayPath.SocketCopy;

    private static async Task<RelayResult> CopyUpstreamToClientAsync(Stream upstream, PipeWriter output, IRelayProgress? progress, CancellationToken cancellationToken)
    {
        long total = 0;
        try
        {
            while (true)
            {
                // Wait for data without holding a buffer: idle followers cost only their sockets.
                await upstream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                var memory = output.GetMemory(ReadSize);
                var n = await upstream.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    return new RelayResult(RelayOutcome.UpstreamCompleted, total, null);
                }

                output.Advance(n);
                total += n;
                var flush = await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                if (flush.IsCompleted || flush.IsCanceled)
                {
                    return new RelayResult(RelayOutcome.ClientClosed, total, null);
                }

                progress?.Relayed(n);
            }
        }
        catch (OperationCanceledException)
        {
            return new RelayResult(RelayOutcome.Cancelled, total, null);
        }
        catch (IOException ex)
        {
            return new RelayResult(RelayOutcome.UpstreamFailed, total, ex);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            return new RelayResult(RelayOutcome.UpstreamFailed, total, ex);
        }
    }

    /// <summary>
    /// Upstream (e.g. TLS, decrypted straight into a pooled buffer) to the client's socket: no pipe and no send loop in
    /// between. The buffer is rented only once data is there, so idle followers hold none.
    /// </summary>
    private static async Task<RelayResult> CopyUpstreamToSocketAsync(Stream upstream, Socket client, IRelayProgress? progress, CancellationToken cancellationToken)
    {
        long total = 0;
        try
        {
            while (true)
            {
                await upstream.ReadAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
                var n = await client.CopyPieceAsync(upstream, ReadSize, cancellationToken).ConfigureAwait(false);
                if (n < 0)
                {
                    return new RelayResult(RelayOutcome.ClientClosed, total, null);
                }

                if (n == 0)
                {
                    return new RelayResult(RelayOutcome.UpstreamCompleted, total, null);
                }

                total += n;
                progress?.Relayed(n);
            }
        }
        catch (OperationCanceledException)
        {
            return new RelayResult(RelayOutcome.Cancelled, total, null);
        }
        catch (Exception ex) when (ex is IOException or SocketException)
        {
            return new RelayResult(RelayOutcome.UpstreamFailed, total, ex);
        }
    }

    /// <summary>Reads and drops what the client sends after its request (it must not stall the stream); returns at client EOF.</summary>
    internal static async Task DrainClientAsync(PipeReader input, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(cancellationToken).ConfigureAwait(false);
                input.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException)
        {
            // A reset from the client (ConnectionResetException is one) is an ordinary way to leave.
        }
    }
}
