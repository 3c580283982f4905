namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>
/// Shared upstreams (section <c>SharedStreams</c>, the same in the silo's finger gateway and the web frontend): one
/// upstream connection per build per process, its bytes kept in memory within these bounds for clients that join late.
/// </summary>
public sealed class SharedStreamOptions
{
    public const string Section = "SharedStreams";

    /// <summary>Share one upstream per build (Linux only); false gives every client its own, as a plain relay.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Bytes of one build kept in memory (the newest of them once the log is longer): a client joining while the log is
    /// shorter gets all of it from memory; a later one, or one that falls further behind, reads the start from its own
    /// upstream connection and joins the shared one when it reaches these bytes.
    /// </summary>
    public long BuildCacheBytes { get; set; } = 16L << 20;

    /// <summary>Bytes kept in memory for all builds together; when reached, builds' windows stop growing.</summary>
    public long TotalCacheBytes { get; set; } = 256L << 20;

    /// <summary>How long an upstream stays open after its last client left (a page reload takes it over).</summary>
    public TimeSpan Linger { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The smallest window a build keeps whatever the total: a read from the upstream must fit.</summary>
    public const long MinimumBuildCacheBytes = 2L << 20;

    /// <summary>Every problem with the settings, for start-up validation.</summary>
    public static IEnumerable<string> Validate(SharedStreamOptions o)
    {
        if (o.BuildCacheBytes < MinimumBuildCacheBytes)
        {
            yield return $"{Section}:BuildCacheBytes must be at least {MinimumBuildCacheBytes} (2 MiB; got {o.BuildCacheBytes}).";
        }

        if (o.TotalCacheBytes < o.BuildCacheBytes)
        {
            yield return $"{Section}:TotalCacheBytes ({o.TotalCacheBytes}) must be at least {Section}:BuildCacheBytes ({o.BuildCacheBytes}).";
        }

        if (o.Linger < TimeSpan.Zero || o.Linger > TimeSpan.FromHours(1))
        {
            yield return $"{Section}:Linger must be between 00:00:00 and 01:00:00 (got {o.Linger}).";
        }
    }
}
