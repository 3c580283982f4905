using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>The Orleans-on-ZooKeeper tests share one ZooKeeper server of their own; each test works in a fresh chroot.</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperOrleansCollection : ICollectionFixture<ZooKeeperFixture>
{
    public const string Name = "ZooKeeperOrleans";
}
