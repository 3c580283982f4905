using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>A silo in zone <see cref="Zone"/> (its finger gateway registers there) and a web frontend, shared by a test class.</summary>
public sealed class WebConsoleCluster : IAsyncLifetime
{
    public const string Zone = "zone-a";

    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public ClusterHarness Harness { get; } = new();

    public SiloHandle Silo { get; private set; } = null!;

    public Uri Web { get; private set; } = null!;

    public IGrainFactory Grains => Harness.Grains;

    public async Task InitializeAsync()
    {
        Silo = await Harness.StartSiloAsync(Zone);
        Web = await Harness.StartWebFrontendAsync();
        await Eventually.UntilAsync(
            async () => (await Grains.GetGrain<IZoneGatewayGrain>(Zone).ListAsync()).Count > 0, $"the silo's finger gateway to register in {Zone}", Timeout);
    }

    public async Task DisposeAsync() => await Harness.DisposeAsync();

    /// <summary>Registers a build the way an executor does, with a fresh uuid.</summary>
    public async Task<string> StartBuildAsync(string? zone, string executor = "exec-1", int port = 7900, string job = "unit-tests")
    {
        var id = Guid.NewGuid().ToString("N");
        await Grains.GetGrain<IBuildGrain>(id).StartAsync(new BuildStart(zone, executor, port, job, DateTimeOffset.UtcNow));
        return id;
    }

    public Task FinishBuildAsync(string id, string result = "SUCCESS") =>
        Grains.GetGrain<IBuildGrain>(id).FinishAsync(new BuildFinish(result, DateTimeOffset.UtcNow));
}
