using System.Globalization;
using System.Net;
using System.Text.Json;
using Zuul.LiveLog.Tests.Executor;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Telemetry;

/// <summary>
/// The executor's <c>Health:Port</c>: <c>/healthz</c> and <c>/metrics</c> on a listener of their own, never on the log
/// streamer's port. In-process, so the test's measurements are told apart from other tests' by a zone of its own.
/// </summary>
public sealed class ExecutorMetricsPortTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task HealthAndMetricsAreServedOnTheHealthPortOnly()
    {
        var zone = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        var port = TestPorts.Next();
        await using var executor = await ExecutorHost.StartAsync(new Dictionary<string, string>
        {
            ["Zone"] = zone,
            ["Health:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Health:ListenAddress"] = "127.0.0.1",
        });
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/") };

        // Without a cluster (Executor:RegisterBuilds=false) the executor is healthy, and says there is no cluster.
        using (var health = await http.GetAsync("healthz"))
        {
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
            var report = JsonDocument.Parse(await health.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal("not-configured", report.GetProperty("cluster").GetString());
        }

        var build = executor.NewBuild("first line\n");
        var invalid = await FingerClient.FetchTextAsync(executor.Port, "not-a-build\n", Timeout);
        Assert.Contains("is not valid", invalid, StringComparison.Ordinal);
        var stream = FingerClient.FetchAsync(executor.Port, build.Id + "\n", Timeout);
        await Eventually.UntilAsync(async () => Exposition.Value(await http.GetStringAsync("metrics"), "zuul_streams_active", zone, "zuul_hop=\"direct\"") == 1, "the stream to be counted active",
            Timeout);
        Assert.Equal(1, Exposition.Value(await http.GetStringAsync("metrics"), "zuul_builds_running", zone));
        build.Append("second line\n");
        build.Finish();
        var bytes = (await stream).Length;

        var text = string.Empty;
        await Eventually.UntilAsync(async () =>
        {
            text = await http.GetStringAsync("metrics");
            return Exposition.Value(text, "zuul_streams_active", zone, "zuul_hop=\"direct\"") == 0 && Exposition.Value(text, "zuul_builds_running", zone) == 0;
        }, "the stream and the build to end", Timeout);
        Assert.Equal(bytes, Exposition.Value(text, "zuul_relay_io_bytes_total", zone, "zuul_hop=\"direct\""));
        Assert.Equal(1, Exposition.Value(text, "zuul_streams_ended_total", zone, "zuul_stream_outcome=\"completed\""));
        Assert.Equal(1, Exposition.Value(text, "zuul_streams_rejected_total", zone, "error_type=\"invalid_request\""));
        Assert.Equal(1, Exposition.Value(text, "zuul_stream_time_to_first_byte_seconds_count", zone));

        // The log streamer's port speaks finger only: an HTTP request there is an invalid build id, not metrics.
        var answer = await FingerClient.FetchTextAsync(executor.Port, "GET /metrics HTTP/1.1\r\n", Timeout);
        Assert.DoesNotContain("zuul_", answer, StringComparison.Ordinal);
    }
}
