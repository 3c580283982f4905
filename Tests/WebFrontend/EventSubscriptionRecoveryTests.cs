using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>
/// The web frontend's build event subscription disappears from the cluster (as when the silo holding the pub-sub
/// state restarts): the hub notices, subscribes again, ends its listeners so browsers reload, and events flow again.
/// </summary>
public sealed class EventSubscriptionRecoveryTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly ClusterHarness _cluster = new();

    public async Task InitializeAsync() => await _cluster.StartSiloAsync();

    public async Task DisposeAsync() => await _cluster.DisposeAsync();

    [Fact]
    public async Task ALostSubscriptionIsMadeAgainAndEventsFlow()
    {
        var web = WebFrontendApp.Build(
            [.. _cluster.ClientArgs(), "--urls", "http://127.0.0.1:0", "--" + ClusterBuildEventSubscription.CheckIntervalKey, "00:00:00.200"],
            _cluster.ConfigureLogging);
        _cluster.Track(web);
        await web.StartAsync();
        var hub = web.Services.GetRequiredService<ClusterBuildEventSubscription>();
        await Eventually.UntilAsync(() => hub.Subscribed.IsCompleted, "the web frontend to subscribe to build events", Timeout);
        var uri = new Uri(web.Urls.First());
        await using var before = await SseClient.ConnectAsync(uri, Timeout);

        // Drop the subscription from the cluster's side, as lost pub-sub state would.
        var stream = web.Services.GetRequiredService<IClusterClient>().GetStreamProvider(BuildEvents.StreamProvider)
            .GetStream<BuildEvent>(StreamId.Create(BuildEvents.Namespace, BuildEvents.Key));
        var handles = await stream.GetAllSubscriptionHandles();
        Assert.NotEmpty(handles);
        foreach (var handle in handles)
        {
            await handle.UnsubscribeAsync();
        }

        await Eventually.UntilAsync(() => hub.Resubscriptions == 1, "the hub to notice the lost subscription and subscribe again", Timeout);
        await Eventually.UntilAsync(async () => (await stream.GetAllSubscriptionHandles()).Count == 1, "exactly one subscription again", Timeout);

        // The listener from before was ended (it may have missed events); a new one gets what happens next.
        await Assert.ThrowsAsync<System.Threading.Channels.ChannelClosedException>(() => before.NextAsync(_ => true, Timeout, "the old listener is ended"));
        await using var after = await SseClient.ConnectAsync(uri, Timeout);
        var id = Guid.NewGuid().ToString("N");
        await _cluster.Grains.GetGrain<IBuildGrain>(id).StartAsync(new BuildStart(null, "127.0.0.1", 7900, "job", DateTimeOffset.UtcNow));
        await after.NextAsync(e => e.GetProperty("build").GetProperty("uuid").GetString() == id, Timeout, $"the started event of {id}");
    }
}
