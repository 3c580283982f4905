using System.Text.Json;
using Orleans.Runtime;
using Orleans.Storage;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>Grain storage in ZooKeeper: JSON at /grains/&lt;type&gt;/&lt;key&gt;, ETag = znode version.</summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class GrainStorageTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private string _connectionString = null!;
    private Providers _providers = null!;
    private readonly GrainId _grain = GrainId.Create("build", Guid.NewGuid().ToString("N"));

    public async Task InitializeAsync()
    {
        _connectionString = await fixture.NewChrootAsync();
        _providers = new Providers(_connectionString, "c");
    }

    public async Task DisposeAsync() => await _providers.DisposeAsync();

    [Fact]
    public async Task WrittenStateIsReadBackByAnotherProcessAsJson()
    {
        var storage = _providers.Storage;
        var state = new GrainState<BuildRecord>(new BuildRecord());
        await storage.ReadStateAsync("build", _grain, state);
        Assert.False(state.RecordExists);
        Assert.Null(state.ETag);

        state.State!.State = BuildState.Running;
        state.State!.ExecutorHostname = "exec1";
        state.State!.LogPort = 7900;
        await storage.WriteStateAsync("build", _grain, state);
        Assert.Equal("0", state.ETag);
        state.State!.LogPort = 7901;
        await storage.WriteStateAsync("build", _grain, state);
        Assert.Equal("1", state.ETag);

        // A separate connection (another silo, or the cluster after a restart) sees the same record.
        await using var other = new Providers(_connectionString, "c");
        var read = new GrainState<BuildRecord>(new BuildRecord());
        await other.Storage.ReadStateAsync("build", _grain, read);
        Assert.True(read.RecordExists);
        Assert.Equal("1", read.ETag);
        Assert.Equal(("exec1", 7901, BuildState.Running), (read.State!.ExecutorHostname, read.State!.LogPort, read.State!.State));

        var client = await other.Connection.GetClientAsync();
        var node = await client.GetDataAsync($"/grains/build/{_grain.Key}");
        using var json = JsonDocument.Parse(node.Data);
        Assert.Equal("exec1", json.RootElement.GetProperty("executorHostname").GetString());
    }

    [Fact]
    public async Task WritesFromAStaleReadConflict()
    {
        var storage = _providers.Storage;
        var first = new GrainState<BuildRecord>(new BuildRecord());
        var second = new GrainState<BuildRecord>(new BuildRecord());
        await storage.ReadStateAsync("build", _grain, first);
        await storage.ReadStateAsync("build", _grain, second);

        await storage.WriteStateAsync("build", _grain, first);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("build", _grain, second)); // both created

        await storage.ReadStateAsync("build", _grain, second);
        await storage.WriteStateAsync("build", _grain, second);
        var conflict = await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync("build", _grain, first)); // stale version
        Assert.Equal("1", conflict.StoredEtag);
        Assert.Equal("0", conflict.CurrentEtag);
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.ClearStateAsync("build", _grain, first));
    }

    [Fact]
    public async Task ClearDeletesTheNode()
    {
        var storage = _providers.Storage;
        var state = new GrainState<BuildRecord>(new BuildRecord { ExecutorHostname = "x" });
        await storage.WriteStateAsync("build", _grain, state);
        await storage.ClearStateAsync("build", _grain, state);
        Assert.Null(state.ETag);
        Assert.False(state.RecordExists);
        var client = await _providers.Connection.GetClientAsync();
        Assert.Null(await client.ExistsAsync(ZooKeeperPaths.Grain("build", _grain.Key.ToString()!)));

        var read = new GrainState<BuildRecord>(new BuildRecord());
        await storage.ReadStateAsync("build", _grain, read);
        Assert.False(read.RecordExists);
        await storage.WriteStateAsync("build", _grain, state); // recreating after a clear works
        Assert.Equal("0", state.ETag);
    }
}
