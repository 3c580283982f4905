using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper.Session;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>The read timeout's measure of silence: our own stalls are not the server's silence.</summary>
public sealed class SilenceMeterTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);

    [Fact]
    public void SilenceGrowsTickByTickWhileWeRunOnTime()
    {
        var time = new ManualTime();
        var meter = new SilenceMeter(time, Tick);
        var lastReceive = time.GetTimestamp();
        for (var i = 0; i < 10; i++)
        {
            time.Advance(Tick);
            meter.Sample(lastReceive);
        }

        time.Advance(Tick);
        Assert.Equal(Tick * 11, meter.Sample(lastReceive));
        Assert.Equal(TimeSpan.Zero, meter.Stalled);
    }

    [Fact]
    public void ASleepPastTheTickIsNotCountedAsSilence()
    {
        var time = new ManualTime();
        var meter = new SilenceMeter(time, Tick);
        var lastReceive = time.GetTimestamp();
        time.Advance(Tick);
        Assert.Equal(Tick, meter.Sample(lastReceive));

        // The process was not scheduled for 8 s: a read timeout of 6.7 s must not fire on that alone.
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.Equal(Tick * 2, meter.Sample(lastReceive));
        Assert.Equal(TimeSpan.FromSeconds(8) - Tick, meter.Stalled);

        // Silence seen while running after the stall still counts.
        time.Advance(Tick);
        Assert.Equal(Tick * 3, meter.Sample(lastReceive));
    }

    [Fact]
    public void ANewByteClearsTheCredit()
    {
        var time = new ManualTime();
        var meter = new SilenceMeter(time, Tick);
        var lastReceive = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(5));
        meter.Sample(lastReceive);
        Assert.NotEqual(TimeSpan.Zero, meter.Stalled);

        lastReceive = time.GetTimestamp();
        time.Advance(Tick);
        Assert.Equal(Tick, meter.Sample(lastReceive));
        Assert.Equal(TimeSpan.Zero, meter.Stalled);
    }
}
