using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>The ZooKeeper tests share one server and run one after another (some restart it).</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperCollection : ICollectionFixture<ZooKeeperFixture>
{
    public const string Name = "ZooKeeper";
}
