using Orleans.Zuul.Tests.Infrastructure;

namespace Orleans.Zuul.Tests.ZooKeeperOrleans;

/// <summary>The Orleans-on-ZooKeeper tests share one ZooKeeper server of their own; each test works in a fresh chroot.</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperOrleansCollection : ICollectionFixture<ZooKeeperFixture>
{
    public const string Name = "ZooKeeperOrleans";
}
