namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>
/// How long the server has been silent, counting only time this process was awake to see it. While the process was not
/// scheduled (thread-pool starvation, a GC pause, an overloaded machine), the server's replies may have arrived and still
/// wait for our receive loop; a read timeout over that time would drop a healthy connection. The caller samples every
/// <c>tick</c>; whatever it slept beyond that is credited back until the next byte arrives.
/// </summary>
internal sealed class SilenceMeter(TimeProvider time, TimeSpan tick)
{
    private long _lastWake = time.GetTimestamp();
    private long _creditFor = long.MinValue;
    private TimeSpan _credit;

    /// <summary>Time stalled since the last byte, as of the last <see cref="Sample"/>.</summary>
    public TimeSpan Stalled => _credit;

    /// <summary>Called once per tick: the silence since <paramref name="lastReceive"/> minus our own stalls.</summary>
    public TimeSpan Sample(long lastReceive)
    {
        var now = time.GetTimestamp();
        var overslept = time.GetElapsedTime(_lastWake, now) - tick;
        _lastWake = now;
        if (lastReceive != _creditFor)
        {
            (_creditFor, _credit) = (lastReceive, TimeSpan.Zero);
        }

        if (overslept > TimeSpan.Zero)
        {
            _credit += overslept;
        }

        return time.GetElapsedTime(lastReceive, now) - _credit;
    }
}
