using Microsoft.Extensions.Configuration;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Tests.Hosting;

public class ClusterSettingsTests
{
    private static ClusterSettings From(params (string Key, string Value)[] pairs) =>
        ClusterSettings.FromConfiguration(new ConfigurationBuilder()
            .AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value)))
            .Build());

    [Fact]
    public void DefaultsAreValid()
    {
        var s = From();
        Assert.Empty(s.Validate());
        Assert.Null(s.Zone);
        Assert.Null(s.ZooKeeperConnectionString);
        Assert.Equal((11111, 30000), (s.SiloPort, s.GatewayPort));
    }

    [Fact]
    public void EveryProblemIsReported()
    {
        var s = From(("Cluster:Id", " "), ("Orleans:SiloPort", "eleven"), ("Orleans:GatewayPort", "70000"), ("Zone", "bad zone!"));
        var errors = s.Validate();
        Assert.Equal(4, errors.Count);
        Assert.Contains(errors, e => e.Contains("Cluster:Id", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Orleans:SiloPort", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Orleans:GatewayPort", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Zone", StringComparison.Ordinal));
    }

    [Fact]
    public void StartupExceptionListsAllErrors()
    {
        var ex = Assert.Throws<OptionsStartupException>(() => StartupValidation.ThrowIfInvalid("x", ["a is bad", "b is bad"]));
        Assert.Contains("[x] a is bad", ex.Message, StringComparison.Ordinal);
        Assert.Contains("[x] b is bad", ex.Message, StringComparison.Ordinal);
    }
}
