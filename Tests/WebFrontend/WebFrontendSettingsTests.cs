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
    public void BadAuthAndWebSettingsAreAllReported()
    {
        var error = Assert.Throws<OptionsStartupException>(() => WebFrontendApp.Build(
        [
            "--Auth:Authenticators:short:Driver", "HS256",
            "--Auth:Authenticators:short:IssuerId", "ops",
            "--Auth:Authenticators:short:ClientId", "zuul",
            "--Auth:Authenticators:short:Secret", "too-short",
            "--Auth:Authenticators:plain:Driver", "OpenIDConnect",
            "--Auth:Authenticators:plain:IssuerId", "http://idp.example.com",
            "--Auth:Authenticators:nodriver:IssuerId", "x",
            "--Auth:AdminRules:0", "no-equals-sign",
            "--Auth:Tenants:a/b:ReadProtected", "true",
            "--Auth:Tenants:t1:AuthRealm", "short",
            "--Web:AllowedOrigins:0", "https://zuul.example.com/path",
            "--Web:StreamOpenLimit", "0",
            "--Web:AdminUrls", "ftp://127.0.0.1:1",
        ]));
        foreach (var expected in new[]
        {
            "[web] Auth:Authenticators:short:Secret must be at least 32 bytes for HS256.",
            "[web] Auth:Authenticators:plain:IssuerId 'http://idp.example.com' must use https",
            "[web] Auth:Authenticators:plain:ClientId is required",
            "[web] Auth:Authenticators:nodriver:Driver is required",
            "[web] Auth:AdminRules entry 'no-equals-sign' is not a rule of the form claim=value.",
            "[web] Auth:Tenants:a/b is not a valid tenant name",
            "[web] Auth:Tenants:t1:AuthRealm 'short' must be an OpenIDConnect authenticator",
            "[web] Web:AllowedOrigins entry 'https://zuul.example.com/path' is not an origin",
            "[web] Web:StreamOpenLimit must be 1..1000000 (got 0).",
            "[web] Web:AdminUrls entry 'ftp://127.0.0.1:1': the scheme must be http or https.",
        })
        {
            Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void ProtectionWithoutAuthenticatorsIsRefused()
    {
        var error = Assert.Throws<OptionsStartupException>(() => WebFrontendApp.Build(["--Auth:ReadProtected", "true"]));
        Assert.Contains("no Auth:Authenticators are configured", error.Message, StringComparison.Ordinal);
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
