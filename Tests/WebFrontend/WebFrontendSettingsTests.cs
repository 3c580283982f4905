using Microsoft.Extensions.Configuration;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>Bad web frontend settings stop start-up with every problem listed at once.</summary>
public sealed class WebFrontendSettingsTests
{
    [Fact]
    public void BadFingerClientSettingsAreAllReported()
    {
        var error = Assert.Throws<OptionsStartupException>(() => WebFrontendApp.Build(
        [
            "--FingerClient:ConnectTimeout", "-00:00:01",
            "--FingerClient:LocalAddress", "not-an-address",
            "--FingerClient:Tls:Certificate", "/nonexistent/cert.pem",
        ]));
        Assert.Contains("[web] FingerClient:ConnectTimeout must be positive", error.Message, StringComparison.Ordinal);
        Assert.Contains("[web] FingerClient:LocalAddress 'not-an-address' is not an IP address.", error.Message, StringComparison.Ordinal);
        Assert.Contains("[web] FingerClient:Tls:", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AZoneUnderTheClusteringSectionIsRefusedRatherThanSilentlyUsed()
    {
        var errors = ZooKeeperSettings.Validate(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ZooKeeper:ConnectionString"] = "127.0.0.1:2181",
                ["Zone"] = "zone1",
                ["ZooKeeper:Clustering:Zone"] = "zone2",
            })
            .Build());
        Assert.Equal(["ZooKeeper:Clustering:Zone is not a setting: a process's zone is Zone (a client's cluster zone: Cluster:Zone)."], errors);
    }
}
