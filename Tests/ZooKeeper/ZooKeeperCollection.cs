using Orleans.Zuul.Tests.Infrastructure;

namespace Orleans.Zuul.Tests.ZooKeeper;

/// <summary>The ZooKeeper tests share one server and run one after another (some restart it).</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperCollection : ICollectionFixture<ZooKeeperFixture>
{
    public const string Name = "ZooKeeper";
}
