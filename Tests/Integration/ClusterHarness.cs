using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Zuul.Silo;
using Orleans.Zuul.WebFrontend;

namespace Orleans.Zuul.Tests.Integration;

/// <summary>
/// Real components in-process on loopback: silos (each with its finger gateway), web frontends and
/// the Orleans client of the test itself. Each harness is its own cluster (unique cluster id and ports).
/// </summary>
public sealed class ClusterHarness : IAsyncDisposable
{
    private readonly List<WebApplication> _apps = [];
    private readonly string _clusterId = "test-" + Guid.NewGuid().ToString("N")[..8];

    public int PrimarySiloPort { get; } = FreePort.Next();

    public int OrleansGatewayPort { get; } = FreePort.Next();

    public WebApplication? PrimarySilo { get; private set; }

    public IGrainFactory Grains => PrimarySilo!.Services.GetRequiredService<IGrainFactory>();

    /// <summary>Starts the silo holding the grains, with its finger gateway on a free port.</summary>
    public async Task<SiloHandle> StartSiloAsync(string? zone = null, string listenAddress = "127.0.0.1")
    {
        var args = new List<string>
        {
            "--Cluster:Id", _clusterId,
            "--Orleans:SiloPort", PrimarySiloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--Orleans:GatewayPort", OrleansGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--FingerGateway:ListenAddress", listenAddress,
            "--FingerGateway:Port", "0",
            "--FingerGateway:Hostname", listenAddress,
            "--FingerGateway:RequestTimeout", "00:00:02",
        };
        if (zone is not null)
        {
            args.AddRange(["--Zone", zone]);
        }

        var app = SiloApp.Build([.. args], QuietLogging);
        await app.StartAsync();
        _apps.Add(app);
        PrimarySilo ??= app;
        return new SiloHandle(app, app.GetFingerGatewayPort());
    }

    /// <summary>Starts a web frontend on a free port, as an Orleans client of this cluster.</summary>
    public async Task<Uri> StartWebFrontendAsync(string? zone = null)
    {
        var args = new List<string>
        {
            "--Cluster:Id", _clusterId,
            "--Orleans:GatewayPort", OrleansGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--urls", "http://127.0.0.1:0",
        };
        if (zone is not null)
        {
            args.AddRange(["--Zone", zone]);
        }

        var app = WebFrontendApp.Build([.. args], QuietLogging);
        await app.StartAsync();
        _apps.Add(app);
        return new Uri(app.Urls.First());
    }

    /// <summary>Client arguments for another in-process Orleans client (e.g. an executor) of this cluster.</summary>
    public string[] ClientArgs() =>
    [
        "--Cluster:Id", _clusterId,
        "--Orleans:GatewayPort", OrleansGatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];

    public void Track(WebApplication app) => _apps.Add(app);

    public static void QuietLogging(WebApplicationBuilder builder)
    {
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddFilter("Orleans", LogLevel.Error);
        builder.Logging.AddFilter("Microsoft", LogLevel.Error);
    }

    public async ValueTask DisposeAsync()
    {
        // Clients and executors first, the silo that holds the grains last.
        for (var i = _apps.Count - 1; i >= 0; i--)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await _apps[i].StopAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
            }

            await _apps[i].DisposeAsync();
        }
    }
}

public sealed record SiloHandle(WebApplication App, int FingerPort);
