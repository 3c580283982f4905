namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>The TLS ZooKeeper tests share one secure-port-only server and run one after another (one restarts it).</summary>
[CollectionDefinition(Name)]
public sealed class ZooKeeperTlsCollection : ICollectionFixture<ZooKeeperTlsFixture>
{
    public const string Name = "ZooKeeperTls";
}
