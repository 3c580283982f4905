using System.IO.Pipelines;
using Microsoft.Win32.SafeHandles;

namespace Orleans.Zuul.Executor;

/// <summary>
/// Sends one build's log to one reader: the file from byte 0, then every appended byte, until the build
/// finishes (PROTOCOL.md section 2). A truncated or replaced log restarts from the beginning of the new file.
/// Reads go straight into the connection's output pipe in <see cref="LogStreamConnectionHandler.ChunkSize"/> pieces.
/// </summary>
internal sealed class LogFollower(JobDirectory job, PipeWriter output, TimeSpan recheckInterval)
{
    public long BytesSent { get; private set; }

    public async Task<StreamOutcome> RunAsync(LogWatchRegistry watches, CancellationToken cancellationToken)
    {
        using var watch = watches.Acquire(job);
        while (true)
        {
            var changed = watch.Changed;
            SafeFileHandle handle;
            try
            {
                handle = File.OpenHandle(job.LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
            {
                if (job.IsFinished)
                {
                    return StreamOutcome.Finished;
                }

                return StreamOutcome.LogRemoved;
            }

            using (handle)
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

            if (job.IsFinished)
            {
                // Everything written before the marker (or the removal) is in the file now.
                await DrainAsync(handle, offset, cancellationToken);
                return StreamOutcome.Finished;
            }

            if (!File.Exists(job.LogFile))
            {
                await DrainAsync(handle, offset, cancellationToken);
                return StreamOutcome.LogRemoved;
            }

            if (RandomAccess.GetLength(handle) < offset
                || (hasIdentity && FileIdentity.TryGet(job.LogFile, out var current) && current != identity))
            {
                return null;
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

    /// <summary>Sends from <paramref name="offset"/> to the current end of the file; returns the new offset.</summary>
    private async ValueTask<long> DrainAsync(SafeFileHandle handle, long offset, CancellationToken cancellationToken)
    {
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
        }
    }
}
