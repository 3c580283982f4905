using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Silo;
using Zuul.LiveLog.WebFrontend;

namespace Zuul.LiveLog.Tests.Limits;

/// <summary>Bad limit and keepalive settings stop start-up, each named, all at once.</summary>
public sealed class LimitSettingsTests
{
    [Fact]
    public void GatewayLimitsAreChecked()
    {
        var errors = FingerGatewayValidation.Validate(new FingerGatewayOptions { MaxConnections = 0, MaxConnectionsPerClient = -1 });
        Assert.Contains("FingerGateway:MaxConnections must be 1..1000000 (got 0).", errors);
        Assert.Contains(errors, e => e.StartsWith("FingerGateway:MaxConnectionsPerClient must be 0", StringComparison.Ordinal));
    }

    [Fact]
    public void ExecutorLimitsAreChecked()
    {
        var errors = ExecutorOptionsValidator.Collect(new ExecutorOptions { JobRoot = Path.GetTempPath(), MaxConnections = 5, MaxConnectionsPerClient = 6 });
        Assert.Equal(["Executor:MaxConnectionsPerClient must be 0 (no limit per client) up to Executor:MaxConnections (5) (got 6)."], errors);
    }

    [Fact]
    public void WebFrontendListsEveryBadLimitAndKeepaliveSetting()
    {
        var error = Assert.Throws<OptionsStartupException>(() => WebFrontendApp.Build(
        [
            "--WebFrontend:MaxConsoleStreams", "0",
            "--WebFrontend:ConsoleStreamRequestTimeout", "00:00:00",
            "--TcpKeepAlive:Time", "00:00:00.500",
            "--TcpKeepAlive:Count", "0",
        ]));
        Assert.Contains("[web] WebFrontend:MaxConsoleStreams must be 1..1000000 (got 0).", error.Message, StringComparison.Ordinal);
        Assert.Contains("[web] WebFrontend:ConsoleStreamRequestTimeout must be more than 0", error.Message, StringComparison.Ordinal);
        Assert.Contains("[web] TcpKeepAlive:Time must be whole seconds", error.Message, StringComparison.Ordinal);
        Assert.Contains("[web] TcpKeepAlive:Count must be 1..127 (got 0).", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SiloAndExecutorCheckTheKeepaliveSectionToo()
    {
        string[] bad = ["--TcpKeepAlive:Interval", "00:00:01.5"];
        Assert.Contains("[silo] TcpKeepAlive:Interval must be whole seconds", Assert.Throws<OptionsStartupException>(() => SiloApp.Build(bad)).Message, StringComparison.Ordinal);
        Assert.Contains("[executor] TcpKeepAlive:Interval must be whole seconds",
            Assert.Throws<OptionsStartupException>(() => ExecutorApp.Build(["--Executor:JobRoot", Path.GetTempPath(), .. bad])).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void TheDefaultsNoticeADeadPeerWithinAMinute() =>
        Assert.Equal(TimeSpan.FromMinutes(1), new TcpKeepAliveOptions().DetectionTime);
}
