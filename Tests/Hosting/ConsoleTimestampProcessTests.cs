using System.Globalization;
using System.Text.RegularExpressions;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Hosting;

/// <summary>
/// Every process's console lines start with a UTC timestamp when started the way <c>scripts/run-local.sh</c> starts
/// them (the Release dlls, output redirected to a log file): silo, web frontend and executor. The web frontend's had none
/// (its builder names no console formatter; see <c>ConsoleLogDefaults</c>), which the options alone did not show.
/// </summary>
public sealed partial class ConsoleTimestampProcessTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task EveryComponentStampsItsConsoleLines()
    {
        var inv = CultureInfo.InvariantCulture;
        var siloPort = TestPorts.Next().ToString(inv);
        var gatewayPort = TestPorts.Next().ToString(inv);
        string[] common = ["--Cluster:Id", "ts-" + Guid.NewGuid().ToString("N")[..8], "--Orleans:SiloPort", siloPort, "--Orleans:GatewayPort", gatewayPort];
        var jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "ts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(jobRoot);
        await using var silo = ComponentProcess.Start("ts-silo", null, "Orleans.Zuul.Silo.dll",
            [.. common, "--Zone", "local", "--FingerGateway:ListenAddress", "127.0.0.1", "--FingerGateway:Port", "0", "--FingerGateway:Hostname", "127.0.0.1"]);
        await silo.WaitForLogAsync(Timeout, "Now listening on");
        await using var web = ComponentProcess.Start("ts-web", null, "Orleans.Zuul.WebFrontend.dll", [.. common, "--urls", "http://127.0.0.1:0"]);
        await using var executor = ComponentProcess.Start("ts-executor", null, "Orleans.Zuul.Executor.dll",
        [
            .. common, "--Executor:Demo", "true", "--Executor:JobRoot", jobRoot, "--Executor:ListenAddress", "127.0.0.1",
            "--Executor:LogStreamPort", "0", "--Executor:Hostname", "127.0.0.1",
        ]);
        await web.WaitForLogAsync(Timeout, "Now listening on");
        await executor.WaitForLogAsync(Timeout, "Log streamer listening");

        foreach (var process in new[] { silo, web, executor })
        {
            // The simple console formatter's first line of an entry: "<timestamp> info: <category>[<event id>]".
            var entries = process.Lines.Where(l => Level().IsMatch(l)).ToList();
            Assert.True(entries.Count >= 2, $"{process.Name} logged too little to judge:\n{process.Tail()}");
            Assert.All(entries, l => Assert.Matches(Stamped(), l));
        }

        try
        {
            Directory.Delete(jobRoot, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    [GeneratedRegex(@"\b(trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex Level();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (trce|dbug|info|warn|fail|crit): ")]
    private static partial Regex Stamped();
}
