using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

[Collection(ZooKeeperCollection.Name)]
public sealed class RecipeTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private ZooKeeperClient _client = null!;

    public async Task InitializeAsync() => _client = await ZooKeeperFixture.ConnectAsync(await fixture.NewChrootAsync());

    public async Task DisposeAsync() => await _client.DisposeAsync();

    [Fact]
    public async Task CreateWithParentsMakesMissingAncestors()
    {
        Assert.Equal("/a/b/c/leaf", await _client.CreateWithParentsAsync("/a/b/c/leaf", "x"u8.ToArray()));
        Assert.Equal("x"u8.ToArray(), (await _client.GetDataAsync("/a/b/c/leaf")).Data);
        Assert.Empty((await _client.GetDataAsync("/a/b")).Data);

        // Existing parents are fine; the node itself existing is still an error.
        Assert.Equal("/a/b/other", await _client.CreateWithParentsAsync("/a/b/other"));
        await Assert.ThrowsAsync<NodeExistsException>(() => _client.CreateWithParentsAsync("/a/b/other"));
        Assert.Matches("^/q/r/item-[0-9]{10}$", await _client.CreateWithParentsAsync("/q/r/item-", mode: CreateMode.EphemeralSequential));
    }

    [Fact]
    public async Task ConcurrentCreateWithParentsDoNotTripOverEachOther()
    {
        var paths = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => _client.CreateWithParentsAsync($"/shared/deep/parent/n{i}")));
        Assert.Equal(10, paths.Distinct().Count());
        Assert.Equal(10, (await _client.GetChildrenAsync("/shared/deep/parent")).Children.Count);
    }

    [Fact]
    public async Task DeleteRecursiveRemovesTheWholeSubtree()
    {
        await _client.CreateWithParentsAsync("/tree/a/1");
        await _client.CreateWithParentsAsync("/tree/a/2");
        await _client.CreateWithParentsAsync("/tree/b/3/4");
        await _client.CreateAsync("/sibling");
        await _client.DeleteRecursiveAsync("/tree");
        Assert.Null(await _client.ExistsAsync("/tree"));
        Assert.NotNull(await _client.ExistsAsync("/sibling"));

        // Already gone is not an error.
        await _client.DeleteRecursiveAsync("/tree");
    }

    [Fact]
    public async Task DeleteRecursiveOfTheChrootRootEmptiesIt()
    {
        await _client.CreateWithParentsAsync("/x/y");
        await _client.CreateAsync("/z");
        await _client.DeleteRecursiveAsync("/");
        Assert.Empty((await _client.GetChildrenAsync("/")).Children);
    }
}
