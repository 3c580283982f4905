using Zuul.LiveLog.Finger.Splice;

namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>The reader: the upstream into the window, within the bounds.</summary>
public sealed partial class SharedBuildStream
{
    private async Task ReadAsync()
    {
        var window = _window!;
        try
        {
            while (true)
            {
                await WaitUntilReadingHelpsAsync().ConfigureAwait(false);
                var appendedAt = window.End;
                int n;
                Exception? error = null;
                try
                {
                    n = await window.AppendAsync(_upstream!, KernelPipePool.Shared, _closing.Token).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is IOException or System.Net.Sockets.SocketException && !_closing.IsCancellationRequested)
                {
                    (n, error) = (0, ex);
                }

                if (n == 0)
                {
                    if (await ContinueAsync(error).ConfigureAwait(false))
                    {
                        continue;
                    }

                    return;
                }

                List<Subscription> waiting;
                lock (_gate)
                {
                    KeepWithinBounds(window, n);
                    waiting = _parked;
                    _parked = [];
                }

                Push(waiting, Fresh(window, waiting, appendedAt, n));
            }
        }
        catch (OperationCanceledException) when (_closing.IsCancellationRequested)
        {
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Whatever broke the reader (an upstream disposed under it, an error resuming), its clients must not wait
            // for bytes that will never come: they fail, as they would on a lost upstream.
            Fail(null, $"{ex.GetType().Name}: {ex.Message}");
        }
        finally
        {
            if (_upstream is { } upstream)
            {
                await upstream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// The upstream ended (<paramref name="error"/> null: a clean end): true when the stream goes on from a resumed
    /// upstream; otherwise the stream has ended (the build's end) or failed, and its clients are woken to see it.
    /// The source's continuation decides (PROTOCOL.md section 6): the end is the log's end only when the build
    /// finished; a hop that failed is resumed at the window's end within the resume window; else the stream fails.
    /// </summary>
    private async Task<bool> ContinueAsync(Exception? error)
    {
        var end = _window!.End;
        if (error is null && end == 0 && _resumes == 0 && await _hub.Source.WasRefusedAsync(BuildId, 0).ConfigureAwait(false))
        {
            // Nothing came and the build goes on: the next hop refused us (e.g. our TLS client certificate). Said at once, not resumed.
            var target = _opened.Task.Result.Target ?? "?";
            _hub.LogRefused(this, target);
            Fail(_hub.Source.RefusedMessage(BuildId, target), "refused");
            return false;
        }

        if (_continuation is null)
        {
            // A source without a resume rule: a clean end is the log's end.
            return error is null ? End() : Fail(null, error.Message);
        }

        var next = await _continuation.NextAsync(end, error, _closing.Token).ConfigureAwait(false);
        if (next.Resumed)
        {
            await _upstream!.DisposeAsync().ConfigureAwait(false);
            _upstream = next.Stream;
            UpstreamHop = next.Target ?? UpstreamHop;
            _resumes++;
            _hub.LogResumed(this, end, next.Target);
            return true;
        }

        return next.Failed ? Fail(null, next.Problem!) : End();
    }

    /// <summary>The build ended and the window holds the whole log: clients send what they lack, then end cleanly.</summary>
    private bool End()
    {
        lock (_gate)
        {
            if (_state == StreamState.Open)
            {
                _state = StreamState.Ended;
            }

            WakeAllParked();
        }

        return false;
    }

    /// <summary>The stream failed: every client's stream fails (with <paramref name="message"/> for those that got nothing yet).</summary>
    private bool Fail(string? message, string why)
    {
        _hub.LogUpstreamFailed(this, why);
        lock (_gate)
        {
            if (_state != StreamState.Closed)
            {
                _state = StreamState.Failed;
                FailureMessage = message;
                FailureProblem = why;
            }

            WakeAllParked();
        }

        _hub.Forget(this);
        return false;
    }

    /// <summary>Reads only when a client waits for bytes or the window has room: a full window read by nobody waits.</summary>
    private async Task WaitUntilReadingHelpsAsync()
    {
        while (true)
        {
            Task wake;
            lock (_gate)
            {
                if (_parked.Count > 0 || _window!.Size + (1 << 20) <= AllowedWindow(_window.Size) || _state != StreamState.Open)
                {
                    return;
                }

                _readerWake ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                wake = _readerWake.Task;
            }

            await wake.WaitAsync(_closing.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The most a window may hold now: the per-build bound, or, once all builds together hold the total, what it holds (at least the minimum).</summary>
    private long AllowedWindow(long size) =>
        _hub.Total >= _hub.Options.TotalCacheBytes
            ? Math.Min(_hub.Options.BuildCacheBytes, Math.Max(SharedStreamOptions.MinimumBuildCacheBytes, size))
            : _hub.Options.BuildCacheBytes;

    private void KeepWithinBounds(LogWindow window, int appended)
    {
        var allowed = AllowedWindow(window.Size - appended);
        var drop = Math.Max(0, window.Size - allowed);
        if (drop > 0)
        {
            window.DropBefore(window.Start + drop);
        }

        _hub.Account(appended - drop);
    }

    /// <summary>The bytes just appended, read once for the waiting clients to send with one plain send each; none when they are many bytes or few clients.</summary>
    private static FreshBytes Fresh(LogWindow window, List<Subscription> waiting, long from, int count)
    {
        if (waiting.Count < 2 || count > FreshLimit)
        {
            return default;
        }

        var bytes = new byte[count];
        return window.Read(from, bytes) == count ? new FreshBytes(from, bytes) : default;
    }
}
