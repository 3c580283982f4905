using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;
using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Tests.Telemetry;

public sealed class TelemetrySettingsTests
{
    [Fact]
    public void TracesAreOffByDefault()
    {
        var errors = new List<string>();
        var settings = TelemetrySettings.Read(Config(), errors);
        Assert.Empty(errors);
        Assert.False(settings.Tracing);
    }

    [Fact]
    public void AnEndpointTurnsTracesOn()
    {
        var errors = new List<string>();
        var settings = TelemetrySettings.Read(Config(("Telemetry:Otlp:Endpoint", "http://collector:4318/v1/traces"), ("Telemetry:Otlp:Protocol", "http/protobuf")), errors);
        Assert.Empty(errors);
        Assert.True(settings.Tracing);
        Assert.Equal(OtlpExportProtocol.HttpProtobuf, settings.OtlpProtocol);
    }

    [Fact]
    public void EveryProblemIsListed()
    {
        var errors = new List<string>();
        TelemetrySettings.Read(Config(("Telemetry:Otlp:Endpoint", "collector:4317"), ("Telemetry:Otlp:Protocol", "udp")), errors);
        Assert.Equal(2, errors.Count);
        Assert.Contains(errors, e => e.Contains("Telemetry:Otlp:Endpoint", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("Telemetry:Otlp:Protocol", StringComparison.Ordinal));
    }

    [Fact]
    public void AnExecutorListsBadTelemetryAndHealthSettingsWithTheOthers()
    {
        var ex = Assert.Throws<OptionsStartupException>(() => ExecutorApp.Build(
        [
            "--Executor:JobRoot", Path.GetTempPath(), "--Executor:RegisterBuilds", "false",
            "--Health:Port", "70000", "--Telemetry:Otlp:Endpoint", "not a url",
        ]));
        Assert.Contains("Health:Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Telemetry:Otlp:Endpoint", ex.Message, StringComparison.Ordinal);
    }

    private static IConfiguration Config(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();
}
