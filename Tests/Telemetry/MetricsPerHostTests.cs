using System.Globalization;
using Zuul.LiveLog.Tests.Executor;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Telemetry;

/// <summary>
/// Two hosts in one process (as in this suite) each export their own instruments only: a provider listens by meter
/// name, process-wide, so without the per-host view the second host's <c>/metrics</c> showed the first host's streams
/// (and one provider aggregated every host of the process, which a run of this suite cannot afford). The survivor's
/// own streams are still counted after the other is disposed.
/// </summary>
public sealed class MetricsPerHostTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task AHostDisposedInTheSameProcessTakesNothingFromAnother()
    {
        var (firstZone, secondZone) = ("first-" + Guid.NewGuid().ToString("N")[..8], "second-" + Guid.NewGuid().ToString("N")[..8]);
        var secondPort = TestPorts.Next();
        await using var second = await StartAsync(secondZone, secondPort);
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{secondPort.ToString(CultureInfo.InvariantCulture)}/") };

        // The first host streams once while the second is up (its instruments publish and record), then goes away.
        await using (var first = await StartAsync(firstZone, TestPorts.Next()))
        {
            var build = first.NewBuild("first host\n");
            build.Finish();
            Assert.Equal("first host\n", await FingerClient.FetchTextAsync(first.Port, build.Id + "\n", Timeout));
        }

        var survivor = second.NewBuild("second host\n");
        survivor.Finish();
        var text = await FingerClient.FetchTextAsync(second.Port, survivor.Id + "\n", Timeout);
        Assert.Equal("second host\n", text);

        var exposition = string.Empty;
        await Eventually.UntilAsync(async () =>
        {
            exposition = await http.GetStringAsync("metrics");
            return Exposition.Value(exposition, "zuul_streams_ended_total", secondZone) == 1;
        }, "the second host's stream to be counted ended", Timeout);
        Assert.Equal(text.Length, Exposition.Value(exposition, "zuul_relay_io_bytes_total", secondZone));
        Assert.DoesNotContain($"zuul_zone=\"{firstZone}\"", exposition, StringComparison.Ordinal);
    }

    private static Task<ExecutorHost> StartAsync(string zone, int healthPort) => ExecutorHost.StartAsync(new Dictionary<string, string>
    {
        ["Zone"] = zone,
        ["Health:Port"] = healthPort.ToString(CultureInfo.InvariantCulture),
        ["Health:ListenAddress"] = "127.0.0.1",
    });
}
