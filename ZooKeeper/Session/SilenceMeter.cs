namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>
/// Judges the read timeout: whether the server has been silent too long. A stall of this process (a GC pause, a starved
/// thread pool, an overloaded machine) is not the server's silence: its replies may have arrived meanwhile and still wait
/// for our receive loop. So a sample taken just after a stall (the caller woke more than a tick late) does not drop the
/// connection; the next one, a tick later, judges. Once per silence only: a process stalled at every tick still finds a
/// silent server, one tick later. Crediting the stalls' whole length instead let the timer slack of a loaded machine add
/// up to seconds, and a session expired before the read timeout fired.
/// </summary>
internal sealed class SilenceMeter(TimeProvider time, TimeSpan tick, TimeSpan readTimeout)
{
    private long _lastWake = time.GetTimestamp();
    private long _deferredFor = long.MinValue;

    /// <summary>Called once per tick: the silence since <paramref name="lastReceive"/>, and whether it ends the connection.</summary>
    public (TimeSpan Silent, bool TimedOut) Sample(long lastReceive)
    {
        var now = time.GetTimestamp();
        var stalled = time.GetElapsedTime(_lastWake, now) > tick * 2;
        _lastWake = now;
        var silent = time.GetElapsedTime(lastReceive, now);
        if (silent <= readTimeout)
        {
            return (silent, false);
        }

        if (stalled && _deferredFor != lastReceive)
        {
            _deferredFor = lastReceive; // give the receive loop a tick to read what came while we were stalled
            return (silent, false);
        }

        return (silent, true);
    }
}
