using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper.Session;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>The read timeout's judgement: a silent server is found, our own stall is not taken for its silence.</summary>
public sealed class SilenceMeterTests
{
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(6);

    [Fact]
    public void ASilentServerTimesOutAtTheFirstTickPastTheReadTimeout()
    {
        var time = new ManualTime();
        var meter = new SilenceMeter(time, Tick, ReadTimeout);
        var lastReceive = time.GetTimestamp();
        for (var i = 1; i <= 12; i++)
        {
            time.Advance(Tick);
            Assert.False(meter.Sample(lastReceive).TimedOut, $"tick {i}: {i * Tick} of silence");
        }

        time.Advance(Tick);
        Assert.Equal((Tick * 13, true), meter.Sample(lastReceive));
    }

    [Fact]
    public void ASampleJustAfterAStallWaitsOneTickForTheReceiveLoop()
    {
        var time = new ManualTime();
        var meter = new SilenceMeter(time, Tick, ReadTimeout);
        var lastReceive = time.GetTimestamp();

        // The process was not scheduled for 8 s: the server's replies may be waiting to be read.
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.False(meter.Sample(lastReceive).TimedOut);

        // A tick later the receive loop has read them: no drop.
        lastReceive = time.GetTimestamp();
        time.Advance(Tick);
        Assert.False(meter.Sample(lastReceive).TimedOut);
    }

    [Fact]
    public void AServerSilentThroughAStallIsStillFoundOneTickLater()
    {
        var time = new ManualTime();
        var meter = new SilenceMeter(time, Tick, ReadTimeout);
        var lastReceive = time.GetTimestamp();
        time.Advance(TimeSpan.FromSeconds(8));
        Assert.False(meter.Sample(lastReceive).TimedOut);

        // Stalled again at the next tick: the deferral was this silence's one.
        time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(meter.Sample(lastReceive).TimedOut);
    }
}
