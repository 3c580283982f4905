namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>A clock the test moves: timestamps only, for code that measures elapsed time and never waits on it.</summary>
public sealed class ManualTime : TimeProvider
{
    private long _ticks = 1_000_000;

    public override long TimestampFrequency => TimeSpan.TicksPerSecond;

    public override long GetTimestamp() => _ticks;

    public void Advance(TimeSpan by) => _ticks += by.Ticks;
}
