using Microsoft.Extensions.Configuration;
using OpenTelemetry.Exporter;

namespace Zuul.LiveLog.Hosting.Telemetry;

/// <summary>
/// <c>Telemetry:*</c>: traces are exported over OTLP only when <c>Telemetry:Otlp:Endpoint</c> is set (off by default);
/// metrics are always collected and served at <c>/metrics</c>.
/// </summary>
public sealed record TelemetrySettings(Uri? OtlpEndpoint, OtlpExportProtocol OtlpProtocol)
{
    public const string EndpointKey = "Telemetry:Otlp:Endpoint";
    public const string ProtocolKey = "Telemetry:Otlp:Protocol";

    public bool Tracing => OtlpEndpoint is not null;

    /// <summary>Reads the section; every problem goes to <paramref name="errors"/>.</summary>
    public static TelemetrySettings Read(IConfiguration configuration, ICollection<string> errors)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(errors);
        Uri? endpoint = null;
        if (configuration[EndpointKey] is { Length: > 0 } text)
        {
            if (Uri.TryCreate(text, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https")
            {
                endpoint = uri;
            }
            else
            {
                errors.Add($"{EndpointKey} must be an http:// or https:// URL, e.g. http://otel-collector:4317 (got '{text}').");
            }
        }

        var protocol = OtlpExportProtocol.Grpc;
        switch (configuration[ProtocolKey])
        {
            case null or "" or "grpc":
                break;
            case "http/protobuf":
                protocol = OtlpExportProtocol.HttpProtobuf;
                break;
            case var other:
                errors.Add($"{ProtocolKey} must be grpc or http/protobuf (got '{other}').");
                break;
        }

        return new TelemetrySettings(endpoint, protocol);
    }

    /// <summary>Whether traces are on, without validating (Orleans client wiring asks before start-up checks run).</summary>
    public static bool TracingConfigured(IConfiguration configuration) =>
        configuration is not null && !string.IsNullOrEmpty(configuration[EndpointKey]);
}
