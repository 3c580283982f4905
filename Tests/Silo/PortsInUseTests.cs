using System.Net;
using System.Net.Sockets;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Silo;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Silo;

/// <summary>A silo or executor whose ports are taken says which settings, all at once, before it joins or registers anything.</summary>
public sealed class PortsInUseTests
{
    [Fact]
    public void EveryTakenPortIsNamedAtStartUp()
    {
        using var finger = Listen();
        using var silo = Listen();
        using var health = Listen();
        var ex = Assert.Throws<OptionsStartupException>(() => SiloApp.Build(
        [
            "--Orleans:SiloPort", Port(silo),
            "--Orleans:GatewayPort", "0",
            "--FingerGateway:ListenAddress", "127.0.0.1",
            "--FingerGateway:Port", Port(finger),
            "--Health:ListenAddress", "127.0.0.1",
            "--Health:Port", Port(health),
        ]));
        foreach (var (key, listener) in new[] { ("Orleans:SiloPort", silo), ("FingerGateway:Port", finger), ("Health:Port", health) })
        {
            Assert.Contains($"{key}: 127.0.0.1:{Port(listener)} is already in use", ex.Message, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("Orleans:GatewayPort", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExecutorWhoseLogStreamPortIsTakenDoesNotStart()
    {
        using var taken = Listen();
        var ex = Assert.Throws<OptionsStartupException>(() => Zuul.LiveLog.Executor.ExecutorApp.Build(
        [
            "--Executor:JobRoot", Path.GetTempPath(),
            "--Executor:ListenAddress", "127.0.0.1",
            "--Executor:LogStreamPort", Port(taken),
        ]));
        Assert.Contains($"Executor:LogStreamPort: 127.0.0.1:{Port(taken)} is already in use", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExecutorWhoseHealthPortIsTakenDoesNotStart()
    {
        using var taken = Listen();
        var ex = Assert.Throws<OptionsStartupException>(() => Zuul.LiveLog.Executor.ExecutorApp.Build(
        [
            "--Executor:JobRoot", Path.GetTempPath(),
            "--Executor:ListenAddress", "127.0.0.1",
            "--Executor:LogStreamPort", "0",
            "--Health:ListenAddress", "127.0.0.1",
            "--Health:Port", Port(taken),
        ]));
        Assert.Contains($"Health:Port: 127.0.0.1:{Port(taken)} is already in use", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExecutorRefusesABadHealthListenerWithEveryProblemNamed()
    {
        var ex = Assert.Throws<OptionsStartupException>(() => Zuul.LiveLog.Executor.ExecutorApp.Build(
            ["--Executor:JobRoot", Path.GetTempPath(), "--Health:Port", "70000", "--Health:ListenAddress", "not-an-ip"]));
        Assert.Contains("Health:Port must be 1..65535 (got '70000')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Health:ListenAddress 'not-an-ip' is not an IP address.", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FreePortsPass()
    {
        // Reserved for this process, so no parallel test's port-0 bind can take it between here and the check.
        var port = TestPorts.Next();
        Assert.Null(PortAvailability.Check("X:Port", IPAddress.Loopback, port));
        Assert.Null(PortAvailability.Check("X:Port", IPAddress.Loopback, 0));
    }

    private static TcpListener Listen()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return listener;
    }

    private static string Port(TcpListener listener) =>
        ((IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
