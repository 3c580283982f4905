using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

public sealed class ConnectionStringTests
{
    [Fact]
    public void ParsesHostsPortsAndChroot()
    {
        var parsed = ConnectionString.Parse("zk1:2181, zk2:2182,zk3/orleans-zuul/app");
        Assert.Equal([new HostEndpoint("zk1", 2181), new HostEndpoint("zk2", 2182), new HostEndpoint("zk3", 2181)], parsed.Hosts);
        Assert.Equal("/orleans-zuul/app", parsed.Chroot);
    }

    [Fact]
    public void RootChrootMeansNone() => Assert.Null(ConnectionString.Parse("127.0.0.1:2181/").Chroot);

    [Fact]
    public void ParsesIpv6()
    {
        var parsed = ConnectionString.Parse("[::1]:2281,[fe80::1]");
        Assert.Equal([new HostEndpoint("::1", 2281), new HostEndpoint("fe80::1", 2181)], parsed.Hosts);
        Assert.Equal("[::1]:2281", parsed.Hosts[0].ToString());
    }

    [Theory]
    [InlineData("host:notaport")]
    [InlineData("host:70000")]
    [InlineData("/only-chroot")]
    [InlineData("host:2181/bad//chroot")]
    [InlineData("host:2181/trailing/")]
    public void RejectsInvalid(string value) => Assert.ThrowsAny<ArgumentException>(() => ConnectionString.Parse(value));
}
