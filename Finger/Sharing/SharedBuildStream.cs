namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>
/// One build's upstream, shared by every client of it in this process: a reader appends what the upstream sends to
/// the build's <see cref="LogWindow"/> and hands new bytes to the clients waiting for them; each client sends from the
/// window at its own pace. The window keeps the whole log while it is short, then its newest bytes (the hub's bounds);
/// a client behind it catches up on its own upstream (see <see cref="Subscription"/>).
/// </summary>
/// <remarks>
/// The reader reads when a client waits for bytes, or while the window has room without dropping any: so the fastest
/// client sets the pace, a slow one never holds the others (it falls behind the window instead), and a stream nobody
/// reads stops at a full window. The upstream is closed <see cref="SharedStreamOptions.Linger"/> after its last client
/// left, so that a page reload takes it over.
/// </remarks>
public sealed partial class SharedBuildStream
{
    /// <summary>Idle clients the reader serves in one go; more are split into batches run on the thread pool.</summary>
    private const int PushBatch = 256;

    /// <summary>Appended bytes up to this many are read once and sent to each waiting client with a plain send.</summary>
    private const int FreshLimit = 16 * 1024;

    private readonly SharedStreamHub _hub;
    private readonly object _gate = new();
    private readonly TaskCompletionSource<UpstreamOpening> _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _closing = new();
    private List<Subscription> _parked = [];
    private StreamState _state = StreamState.Opening;
    private int _clients;
    private int _lingerGeneration;
    private TaskCompletionSource? _readerWake;
    private Task _reader = Task.CompletedTask;
    private Stream? _upstream;
    private IUpstreamContinuation? _continuation;
    private int _resumes;
    private LogWindow? _window;

    internal SharedBuildStream(SharedStreamHub hub, string buildId)
    {
        _hub = hub;
        BuildId = buildId;
    }

    public string BuildId { get; }

    /// <summary>The opened upstream's answer (its target), or why there is none.</summary>
    internal Task<UpstreamOpening> Opened => _opened.Task;

    internal LogWindow Window => _window!;

    /// <summary>The one line a client is shown when the stream failed in a way worth saying (null: the connection just ends).</summary>
    internal string? FailureMessage { get; private set; }

    /// <summary>Why the stream failed or closed, for the log.</summary>
    internal string? FailureProblem { get; private set; }

    /// <summary>The hop the upstream comes from now (it changes when the upstream is resumed elsewhere).</summary>
    internal string? UpstreamHop { get; private set; }

    /// <summary>Clients (following or catching up).</summary>
    public int Clients
    {
        get
        {
            lock (_gate)
            {
                return _clients;
            }
        }
    }

    // ---- Opening and closing ----

    internal async Task OpenAsync()
    {
        UpstreamOpening opening;
        try
        {
            opening = await _hub.Source.OpenAsync(BuildId, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            opening = new UpstreamOpening(null, FingerErrors.ShuttingDown, null, null);
        }

        if (!opening.Ok)
        {
            lock (_gate)
            {
                _state = StreamState.Failed;
            }

            _hub.Forget(this);
            _opened.SetResult(opening);
            return;
        }

        _upstream = opening.Stream;
        _continuation = opening.Continuation;
        UpstreamHop = opening.Hop ?? opening.Target;
        _window = LogWindow.Create();
        lock (_gate)
        {
            _state = StreamState.Open;
            _reader = Task.Run(ReadAsync);
        }

        _hub.LogOpened(this, opening.Target);
        _opened.SetResult(opening);
        lock (_gate)
        {
            if (_clients == 0)
            {
                ScheduleLinger();
            }
        }
    }

    /// <summary>Adds a client at <paramref name="offset"/>; false when the stream is closing (the hub then opens a new one).</summary>
    internal bool TryAttach(Subscription subscription, long offset)
    {
        lock (_gate)
        {
            if (_state is StreamState.Closed or StreamState.Failed)
            {
                return false;
            }

            _clients++;
            _lingerGeneration++;
            subscription.Member = true;
            subscription.Attached = offset >= _window!.Start;
            return true;
        }
    }

    /// <summary>A client's loop ended.</summary>
    internal void Leave(Subscription subscription)
    {
        lock (_gate)
        {
            if (!subscription.Member)
            {
                return;
            }

            subscription.Member = false;
            subscription.Attached = false;
            if (--_clients == 0)
            {
                ScheduleLinger();
            }
        }
    }

    private void ScheduleLinger()
    {
        var generation = ++_lingerGeneration;
        _ = LingerAsync(generation);
    }

    private async Task LingerAsync(int generation)
    {
        try
        {
            await Task.Delay(_hub.Options.Linger, _closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        lock (_gate)
        {
            if (generation != _lingerGeneration || _clients > 0 || _state == StreamState.Closed)
            {
                return;
            }

            _state = StreamState.Closed;
        }

        await CloseAsync("no clients").ConfigureAwait(false);
    }

    /// <summary>Stops the reader, closes the upstream and frees the window (no client uses it any more).</summary>
    internal async Task CloseAsync(string why)
    {
        _hub.Forget(this);
        lock (_gate)
        {
            _state = StreamState.Closed;
            FailureProblem ??= $"this process's shared stream closed ({why})";
            WakeAllParked();
        }

        await _closing.CancelAsync().ConfigureAwait(false);
        await _reader.ConfigureAwait(false);
        _hub.LogClosed(this, why, _window?.End ?? 0);
        if (_window is { } window)
        {
            _hub.Account(-window.Size);
            window.Dispose();
        }
    }

    private enum StreamState
    {
        Opening,
        Open,
        Ended,
        Failed,
        Closed,
    }
}
