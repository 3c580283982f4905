using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Tests.Grains;

public class StreamResolverTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UnixEpoch;

    private static BuildInfo Build(string? zone) =>
        new("0123456789abcdef0123456789abcdef", BuildState.Running, zone, "exec1.zone", 7900, "job", Now, null, null);

    private static GatewayEndpoint Gw(string host, GatewayState state = GatewayState.Running, bool tls = false) =>
        new(host, 7979, tls, "z2", state);

    [Fact]
    public void UnknownBuildIsNotFound()
    {
        Assert.Equal(StreamResolutionKind.BuildNotFound, StreamResolver.Resolve(null, "z1", []).Kind);
    }

    [Fact]
    public void BuildWithoutExecutorHasNotStarted()
    {
        var build = Build("z1") with { ExecutorHostname = string.Empty };
        Assert.Equal(StreamResolutionKind.BuildNotStarted, StreamResolver.Resolve(build, "z1", []).Kind);
    }

    [Theory]
    [InlineData(null, null)]
    [InlineData(null, "z1")]
    [InlineData("z1", "z1")]
    public void UnzonedOrSameZoneGetsTheExecutor(string? buildZone, string? sourceZone)
    {
        var r = StreamResolver.Resolve(Build(buildZone), sourceZone, [Gw("gw")]);
        Assert.Equal(StreamResolutionKind.Executor, r.Kind);
        Assert.Equal(("exec1.zone", 7900), (r.Host, r.Port));
    }

    [Theory]
    [InlineData("z2", null)]
    [InlineData("z2", "z1")]
    public void OtherZoneGetsAGatewayOfTheBuildsZone(string buildZone, string? sourceZone)
    {
        var r = StreamResolver.Resolve(Build(buildZone), sourceZone, [Gw("gw-a", tls: true), Gw("gw-b")]);
        Assert.Equal(StreamResolutionKind.Gateway, r.Kind);
        Assert.Equal(("gw-a", 7979, true), (r.Host, r.Port, r.Tls));
        Assert.Equal(["gw-b"], r.Alternatives.Select(a => a.Hostname));
        Assert.Equal(buildZone, r.BuildZone);
    }

    [Fact]
    public void ZoneNamesAreCaseSensitive()
    {
        Assert.Equal(StreamResolutionKind.Gateway, StreamResolver.Resolve(Build("Z1"), "z1", [Gw("gw")]).Kind);
    }

    [Fact]
    public void DrainingGatewaysAreSkipped()
    {
        var r = StreamResolver.Resolve(Build("z2"), "z1", [Gw("old", GatewayState.Draining), Gw("new")]);
        Assert.Equal("new", r.Host);
        Assert.Empty(r.Alternatives);
    }

    [Fact]
    public void NoLiveGatewayFallsBackToTheExecutor()
    {
        var r = StreamResolver.Resolve(Build("z2"), "z1", [Gw("old", GatewayState.Draining)]);
        Assert.Equal(StreamResolutionKind.ExecutorFallback, r.Kind);
        Assert.Equal(("exec1.zone", 7900), (r.Host, r.Port));
        Assert.Equal("z2", r.BuildZone);
        Assert.True(r.Found);
    }
}
