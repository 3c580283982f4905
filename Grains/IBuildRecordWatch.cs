namespace Zuul.LiveLog.Grains;

/// <summary>
/// Tells a build grain when its stored record may have changed elsewhere. With ZooKeeper every zone is its own
/// cluster, so several activations of one build exist (one per zone that asked about it); the build's own zone writes,
/// the others read. Each activation keeps its record in memory and re-reads it only after a change, so answering
/// stays a memory lookup. Without ZooKeeper (one cluster, one activation) the silo registers no watch.
/// </summary>
public interface IBuildRecordWatch
{
    /// <summary>
    /// Watches the record of build <paramref name="uuid"/>, last read or written at <paramref name="etag"/> (null: no
    /// record). The token turns stale when the record changes, at once when it already differs from
    /// <paramref name="etag"/>, and when the watch cannot be set or is lost (session expiry).
    /// </summary>
    Task<BuildRecordWatchToken> WatchAsync(string uuid, string? etag);

    /// <summary>Whether a re-read can be tried now; false while the store is unreachable, so callers answer from memory.</summary>
    bool CanRead { get; }
}

/// <summary>One armed watch: <see cref="IsStale"/> turns true once, from any thread.</summary>
public sealed class BuildRecordWatchToken
{
    private volatile bool _stale;

    /// <summary>A token that is stale from the start (the watch could not be set).</summary>
    public static BuildRecordWatchToken Stale()
    {
        var token = new BuildRecordWatchToken();
        token.MarkStale();
        return token;
    }

    public bool IsStale => _stale;

    public void MarkStale() => _stale = true;
}
