using System.Threading.Channels;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>The fan-out of build events to browsers, without a cluster.</summary>
public sealed class BuildEventHubTests
{
    private static readonly BuildEvent Started = new(BuildEventKind.Started,
        new BuildInfo("0123456789abcdef0123456789abcdef", BuildState.Running, "zone-a", "exec", 7900, "job", DateTimeOffset.UnixEpoch, null, null));

    [Fact]
    public void EveryListenerGetsEveryEvent()
    {
        var hub = new BuildEventHub();
        using var a = hub.Listen(BuildRecords.DefaultTenant);
        using var b = hub.Listen(BuildRecords.DefaultTenant);
        hub.Publish(Started);
        Assert.True(a.Events.TryRead(out var ea));
        Assert.True(b.Events.TryRead(out var eb));
        Assert.Same(Started, ea);
        Assert.Same(Started, eb);
    }

    [Fact]
    public void AListenerOfAnotherTenantHearsNothingOfTheBuild()
    {
        var hub = new BuildEventHub();
        using var other = hub.Listen("tenant-b");
        using var own = hub.Listen(BuildRecords.DefaultTenant);
        hub.Publish(Started);
        Assert.False(other.Events.TryRead(out _));
        Assert.True(own.Events.TryRead(out _));
    }

    [Fact]
    public async Task AListenerThatFallsBehindIsCutOffNotSilentlyThinned()
    {
        var hub = new BuildEventHub();
        using var slow = hub.Listen(BuildRecords.DefaultTenant);
        for (var i = 0; i <= BuildEventHub.ListenerCapacity; i++)
        {
            hub.Publish(Started);
        }

        for (var i = 0; i < BuildEventHub.ListenerCapacity; i++)
        {
            Assert.True(slow.Events.TryRead(out _));
        }

        await Assert.ThrowsAsync<ChannelClosedException>(async () => await slow.Events.WaitToReadAsync());
    }

    [Fact]
    public void ADisposedListenerGetsNothingMore()
    {
        var hub = new BuildEventHub();
        var gone = hub.Listen(BuildRecords.DefaultTenant);
        gone.Dispose();
        hub.Publish(Started);
        Assert.False(gone.Events.TryRead(out _));
        Assert.True(gone.Events.Completion.IsCompleted);
    }
}
