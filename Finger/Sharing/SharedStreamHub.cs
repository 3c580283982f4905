using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>
/// The shared streams of this process (a finger gateway or a web frontend): one upstream connection per build, however
/// many clients stream it, and the bytes of all builds' windows together (<see cref="Total"/>) within
/// <see cref="SharedStreamOptions.TotalCacheBytes"/>.
/// </summary>
public sealed partial class SharedStreamHub(IUpstreamSource source, SharedStreamOptions options, ILogger<SharedStreamHub> logger) : IAsyncDisposable
{
    private readonly Dictionary<string, SharedBuildStream> _streams = new(StringComparer.Ordinal);
    private long _total;
    private long _upstreamsOpened;
    private long _catchUps;
    private long _rejoins;

    internal IUpstreamSource Source => source;

    public SharedStreamOptions Options => options;

    /// <summary>Shared streams are on (configured, and memory files exist here).</summary>
    public bool Enabled => options.Enabled && LogWindow.IsSupported;

    /// <summary>Bytes held in all builds' windows.</summary>
    public long Total => Interlocked.Read(ref _total);

    /// <summary>Shared upstream connections opened so far (catch-up connections not counted).</summary>
    public long UpstreamsOpened => Interlocked.Read(ref _upstreamsOpened);

    /// <summary>Connections opened by clients catching up on their own (late beyond the window, or fallen behind).</summary>
    public long CatchUps => Interlocked.Read(ref _catchUps);

    /// <summary>Clients that caught up on their own and went back to the shared stream.</summary>
    public long Rejoins => Interlocked.Read(ref _rejoins);

    /// <summary>Builds with a shared stream now.</summary>
    public int Streams
    {
        get
        {
            lock (_streams)
            {
                return _streams.Count;
            }
        }
    }

    /// <summary>
    /// Joins the build's shared stream at byte <paramref name="offset"/>, opening it when there is none; the
    /// subscription's <see cref="Subscription.RunAsync"/> then brings the client the log through <paramref name="sink"/>.
    /// <paramref name="progress"/>, given the opened stream, returns what is told of every byte the client takes (metrics).
    /// </summary>
    public async Task<StreamJoin> JoinAsync(
        string buildId, long offset, IStreamSink sink, CancellationToken cancellationToken, Func<UpstreamOpening, IRelayProgress?>? progress = null)
    {
        while (true)
        {
            SharedBuildStream stream;
            var created = false;
            lock (_streams)
            {
                if (!_streams.TryGetValue(buildId, out stream!))
                {
                    stream = new SharedBuildStream(this, buildId);
                    _streams[buildId] = stream;
                    created = true;
                }
            }

            if (created)
            {
                Interlocked.Increment(ref _upstreamsOpened);
                _ = stream.OpenAsync();
            }

            var opening = await stream.Opened.WaitAsync(cancellationToken).ConfigureAwait(false);
            if (!opening.Ok)
            {
                return new StreamJoin(null, opening, !created);
            }

            var subscription = new Subscription(stream, sink, offset, progress?.Invoke(opening));
            if (stream.TryAttach(subscription, offset))
            {
                return new StreamJoin(subscription, opening, !created);
            }

            // It closed (its last client had left) between our look-up and now: open a new one.
        }
    }

    internal void Forget(SharedBuildStream stream)
    {
        lock (_streams)
        {
            if (_streams.TryGetValue(stream.BuildId, out var current) && ReferenceEquals(current, stream))
            {
                _streams.Remove(stream.BuildId);
            }
        }
    }

    internal void Account(long bytes) => Interlocked.Add(ref _total, bytes);

    internal void CountCatchUp() => Interlocked.Increment(ref _catchUps);

    internal void CountRejoin() => Interlocked.Increment(ref _rejoins);

    public async ValueTask DisposeAsync()
    {
        List<SharedBuildStream> all;
        lock (_streams)
        {
            all = [.. _streams.Values];
        }

        await Task.WhenAll(all.Select(s => s.CloseAsync("shutting down"))).ConfigureAwait(false);
    }

    internal void LogOpened(SharedBuildStream stream, string? target) => LogInformationOpened(logger, stream.BuildId, target ?? "?");

    internal void LogClosed(SharedBuildStream stream, string why, long bytes) => LogInformationClosed(logger, stream.BuildId, why, bytes);

    internal void LogUpstreamFailed(SharedBuildStream stream, string why) => LogWarningUpstreamFailed(logger, stream.BuildId, why);

    internal void LogResumed(SharedBuildStream stream, long bytes, string? target) => LogInformationResumed(logger, stream.BuildId, bytes, target ?? "?");

    internal void LogRefused(SharedBuildStream stream, string? target) => LogWarningRefused(logger, stream.BuildId, target ?? "?");

    internal void LogFellBehind(SharedBuildStream stream, long position, long start) => LogDebugFellBehind(logger, stream.BuildId, position, start);

    [LoggerMessage(340, LogLevel.Information, "Build {BuildId}: shared upstream opened via {Target}")]
    private static partial void LogInformationOpened(ILogger logger, string buildId, string target);

    [LoggerMessage(341, LogLevel.Information, "Build {BuildId}: shared upstream closed ({Why}) after {Bytes} bytes")]
    private static partial void LogInformationClosed(ILogger logger, string buildId, string why, long bytes);

    [LoggerMessage(342, LogLevel.Warning, "Build {BuildId}: shared upstream failed, its clients' streams fail: {Error}")]
    private static partial void LogWarningUpstreamFailed(ILogger logger, string buildId, string error);

    [LoggerMessage(345, LogLevel.Information, "Build {BuildId}: shared upstream resumed at byte {Bytes} via {Target}; its clients go on")]
    private static partial void LogInformationResumed(ILogger logger, string buildId, long bytes, string target);

    [LoggerMessage(343, LogLevel.Warning, "Build {BuildId}: {Target} closed the stream without sending anything while the build runs (shared upstream)")]
    private static partial void LogWarningRefused(ILogger logger, string buildId, string target);

    [LoggerMessage(344, LogLevel.Debug, "Build {BuildId}: a client at byte {Position} fell behind the window (it starts at {Start}); it catches up on its own upstream")]
    private static partial void LogDebugFellBehind(ILogger logger, string buildId, long position, long start);
}
