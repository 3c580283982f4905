using System.IO.Pipelines;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Zuul.LiveLog.Finger;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Sends one build's log to one reader: the file from byte 0, then every appended byte, until the build
/// finishes (PROTOCOL.md section 2). A truncated or replaced log restarts from the beginning of the new file.
/// With a <paramref name="socket"/>, bytes go out with <c>sendfile(2)</c> (nothing is ever written to the output pipe
/// then); otherwise reads go straight into the connection's output pipe in <see cref="LogStreamConnectionHandler.ChunkSize"/> pieces.
/// </summary>
internal sealed class LogFollower(JobDirectory job, PipeWriter output, Socket? socket, Action abortConnection, TimeSpan recheckInterval, IRelayProgress? progress = null)
{
    /// <summary>How long an aborted connection may take to fail its in-flight sendfile.</summary>
    private static readonly TimeSpan AbortGrace = TimeSpan.FromSeconds(5);

    /// <summary>Largest single sendfile call; the kernel sends it in as many pieces as the socket takes.</summary>
    private const int MaxSendFileCount = 1 << 30;

    private SendFileOperation? _sendFile;
    private FileStream? _file;

    public long BytesSent { get; private set; }

    /// <summary>Releases the sendfile operation, unless a call is still in flight (the connection is being torn down, which completes it).</summary>
    public void DisposeSendFile()
    {
        if (_sendFile is { IsPending: false })
        {
            _sendFile.Dispose();
        }
    }

    public async Task<StreamOutcome> RunAsync(LogWatchRegistry watches, CancellationToken cancellationToken)
    {
        using var watch = watches.Acquire(job);
        while (true)
        {
            var changed = watch.Changed;
            SafeFileHandle handle;
            try
            {
                // sendfile through SendPacketsAsync wants a handle opened for asynchronous I/O.
                handle = File.OpenHandle(
                    job.LogFile,
                    FileMode.Open,
                    FileAccess.Read,
                    FileShare.ReadWrite | FileShare.Delete,
                    socket is null ? FileOptions.None : FileOptions.Asynchronous);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                if (job.IsFinished)
                {
                    return StreamOutcome.Finished;
                }

                return StreamOutcome.LogRemoved;
            }

            _file = socket is null ? null : new FileStream(handle, FileAccess.Read, bufferSize: 0, isAsync: true);
            using (handle)
            using (_file)
            {
                var outcome = await FollowAsync(handle, watch, changed, cancellationToken);
                if (outcome is { } end)
                {
                    return end;
                }
            }
        }
    }

    /// <summary>Follows one incarnation of the log file; null = it was truncated or replaced, start again.</summary>
    private async Task<StreamOutcome?> FollowAsync(SafeFileHandle handle, LogWatchRegistry.Lease watch, Task changed, CancellationToken cancellationToken)
    {
        var hasIdentity = FileIdentity.TryGet(handle, out var identity);
        long offset = 0;
        while (true)
        {
            offset = await DrainAsync(handle, offset, cancellationToken);
            if (Restarted(handle, offset, hasIdentity, identity))
            {
                return null;
            }

            if (job.IsFinished)
            {
                // Everything written before the marker (or the removal) is in the file now. A file truncated or
                // replaced meanwhile is the build's log now: it is sent from its beginning.
                offset = await DrainAsync(handle, offset, cancellationToken);
                return Restarted(handle, offset, hasIdentity, identity) ? null : StreamOutcome.Finished;
            }

            if (!File.Exists(job.LogFile))
            {
                await DrainAsync(handle, offset, cancellationToken);
                return StreamOutcome.LogRemoved;
            }

            try
            {
                await changed.WaitAsync(recheckInterval, cancellationToken);
            }
            catch (TimeoutException)
            {
                // Safety re-check against a missed notification.
            }

            changed = watch.Changed;
        }
    }

    /// <summary>True when the file was truncated below what was sent, or its path now names another file.</summary>
    private bool Restarted(SafeFileHandle handle, long offset, bool hasIdentity, FileIdentity identity) =>
        RandomAccess.GetLength(handle) < offset
        || (hasIdentity && FileIdentity.TryGet(job.LogFile, out var current) && current != identity);

    /// <summary>Sends from <paramref name="offset"/> to the current end of the file; returns the new offset.</summary>
    private async ValueTask<long> DrainAsync(SafeFileHandle handle, long offset, CancellationToken cancellationToken)
    {
        if (socket is not null && _file is not null)
        {
            return await SendFileAsync(handle, offset, cancellationToken);
        }

        while (true)
        {
            var memory = output.GetMemory(LogStreamConnectionHandler.ChunkSize);
            var read = RandomAccess.Read(handle, memory.Span, offset);
            if (read == 0)
            {
                return offset;
            }

            output.Advance(read);
            offset += read;
            BytesSent += read;
            var flush = await output.FlushAsync(cancellationToken);
            if (flush.IsCompleted || flush.IsCanceled)
            {
                throw new OperationCanceledException("The client is gone.");
            }

            progress?.Relayed(read);
        }
    }

    private async ValueTask<long> SendFileAsync(SafeFileHandle handle, long offset, CancellationToken cancellationToken)
    {
        _sendFile ??= new SendFileOperation();
        while (true)
        {
            var available = RandomAccess.GetLength(handle) - offset;
            if (available <= 0)
            {
                return offset;
            }

            var count = (int)Math.Min(available, MaxSendFileCount);
            cancellationToken.ThrowIfCancellationRequested();
            int sent;
            var send = _sendFile.SendAsync(socket!, _file!, offset, count);
            if (send.IsCompleted)
            {
                sent = send.GetAwaiter().GetResult();
            }
            else
            {
                // A reader that does not read: its EOF or disconnect must still end the wait.
                var pending = send.AsTask();
                try
                {
                    sent = await pending.WaitAsync(cancellationToken);
                }
                catch (OperationCanceledException)
                {
                    // The kernel still has the file open for this send: fail it by aborting the connection, and let it
                    // finish before the file handle is closed.
                    abortConnection();
                    await ((Task)pending).WaitAsync(AbortGrace, CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                    throw;
                }
            }

            offset += sent;
            BytesSent += sent;
            progress?.Relayed(sent);
            if (sent < count)
            {
                // The file shrank under the send (truncated): the caller notices and starts again.
                return offset;
            }
        }
    }
}
