using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Tests.Grains;

/// <summary>The executor-network rule on its own: CIDR parsing, zone lists over the default, names resolved.</summary>
public sealed class ExecutorNetworkPolicyTests
{
    [Fact]
    public void EveryBadEntryIsReported()
    {
        var errors = new List<string>();
        ExecutorNetworkPolicy.Parse(new Dictionary<string, IReadOnlyList<string>> { ["zone1"] = ["10.0.0.0/8", "ten-dot"] }, ["192.168.0.0/33"], errors);

        Assert.Equal(["Zones:zone1:ExecutorNetworks: 'ten-dot' is not a CIDR network such as 10.1.0.0/16.", "Builds:ExecutorNetworks: '192.168.0.0/33' is not a CIDR network such as 10.1.0.0/16."], errors);
    }

    [Fact]
    public async Task ZoneListWinsOverTheDefaultAndUnsetMeansAny()
    {
        var errors = new List<string>();
        var policy = ExecutorNetworkPolicy.Parse(new Dictionary<string, IReadOnlyList<string>> { ["zone1"] = ["10.1.0.0/16", "192.0.2.7"] }, ["127.0.0.0/8"], errors);
        Assert.Empty(errors);

        Assert.Null(await policy.CheckAsync("zone1", "10.1.2.3"));
        Assert.Null(await policy.CheckAsync("zone1", "192.0.2.7"));
        Assert.Null(await policy.CheckAsync("zone1", "::ffff:10.1.2.3"));
        Assert.Contains("outside the executor networks of zone zone1", await policy.CheckAsync("zone1", "127.0.0.1"), StringComparison.Ordinal);
        Assert.Null(await policy.CheckAsync("zone2", "127.0.0.1"));
        Assert.Contains("outside the executor networks of un-zoned builds", await policy.CheckAsync(null, "10.1.2.3"), StringComparison.Ordinal);
        Assert.Null(await ExecutorNetworkPolicy.AllowAny.CheckAsync("zone1", "203.0.113.9"));
    }

    [Fact]
    public async Task NamesAreResolvedAndUnresolvableNamesRefused()
    {
        var policy = ExecutorNetworkPolicy.Parse(new Dictionary<string, IReadOnlyList<string>>(), ["127.0.0.0/8", "::1/128"], []);

        Assert.Null(await policy.CheckAsync("zone1", "localhost"));
        Assert.Contains("cannot be resolved", await policy.CheckAsync("zone1", "no-such-host.invalid"), StringComparison.Ordinal);
    }
}
