using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Zuul.LiveLog.Hosting.OrleansTls;
using Zuul.LiveLog.Silo;
using Zuul.LiveLog.Tests.Tls;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>
/// Mutual TLS on Orleans connections (<c>Orleans:Tls</c>): members of the CA join and connect; a silo from another CA
/// cannot join and a client without a certificate cannot connect, each leaving one clear line on both sides.
/// </summary>
public sealed class OrleansTlsTests : IDisposable
{
    private readonly TestPki _pki = new("Orleans.Zuul Cluster CA");
    private readonly TestPki _otherPki = new("Some Other CA");

    public void Dispose()
    {
        _pki.Dispose();
        _otherPki.Dispose();
    }

    [Fact]
    public async Task MembersOfTheCaFormAClusterAndClientsConnect()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartSiloAsync("zone1", extra: TlsArgs(_pki, "silo1"));
        await cluster.StartSiloAsync("zone1", extra: TlsArgs(_pki, "silo2"));
        var management = cluster.Grains.GetGrain<IManagementGrain>(0);
        await Eventually.UntilAsync(async () => (await management.GetHosts(onlyActive: true)).Count == 2, "both silos active", TimeSpan.FromSeconds(30));

        var web = await cluster.StartWebFrontendAsync("zone1", TlsArgs(_pki, "web"));
        using var http = new HttpClient { BaseAddress = web };
        Assert.NotNull(await http.GetFromJsonAsync<object[]>("/api/tenant/default/builds"));
        Assert.DoesNotContain(cluster.Logs.Lines, l => l.Contains("Orleans TLS:", StringComparison.Ordinal));
    }

    [Fact]
    public async Task SiloWithACertificateFromAnotherCaCannotJoin()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartSiloAsync("zone1", extra: TlsArgs(_pki, "silo1"));

        var intruder = await StartInBackgroundAsync(cluster, () => SiloApp.Build(
            [
                "--Cluster:Id", ClusterIdOf(cluster),
                "--Orleans:SiloPort", TestPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--Orleans:GatewayPort", TestPorts.Next().ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--Orleans:PrimarySiloEndpoint", $"127.0.0.1:{cluster.PrimarySiloPort}",
                "--FingerGateway:Enabled", "false",
                .. TlsArgs(_otherPki, "intruder"),
            ],
            cluster.ConfigureLogging));
        await using (intruder)
        {
            // Each side says why, once per attempt: the primary refuses the intruder's certificate, and the intruder
            // refuses the primary's (it trusts only its own CA).
            await cluster.Logs.WaitForAsync("Orleans TLS: refused a connection to the silo port from 127.0.0.1:", "the primary's refusal line", TimeSpan.FromSeconds(30), "certificate 'CN=intruder' refused", "not signed by the configured CA");
            await cluster.Logs.WaitForAsync($"Orleans TLS: could not connect to 127.0.0.1:{cluster.PrimarySiloPort}", "the intruder's line about the primary", TimeSpan.FromSeconds(30), "certificate 'CN=silo1' refused", "not signed by the configured CA");

            var hosts = await cluster.Grains.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
            Assert.Single(hosts);
        }
    }

    [Fact]
    public async Task ClientWithoutCertificateCannotConnect()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartSiloAsync("zone1", extra: TlsArgs(_pki, "silo1"));

        // A plaintext executor: its Orleans client has no certificate to offer.
        var jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "jobs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(jobRoot);
        var executor = await StartInBackgroundAsync(cluster, () => Zuul.LiveLog.Executor.ExecutorApp.Build(
            [
                .. cluster.ClientArgs(),
                "--Executor:JobRoot", jobRoot,
                "--Executor:LogStreamPort", "0",
                "--Executor:ListenAddress", "127.0.0.1",
            ],
            cluster.ConfigureLogging));
        await using (executor)
        {
            await cluster.Logs.WaitForAsync("Orleans TLS: refused a connection to the gateway port from 127.0.0.1:", "the silo's refusal line", TimeSpan.FromSeconds(30), "does not speak TLS");
            await cluster.Logs.WaitForAsync($"Orleans: 127.0.0.1:{cluster.OrleansGatewayPort} closed the connection before answering; if its Orleans ports require TLS, configure Orleans:Tls", "the executor's line", TimeSpan.FromSeconds(30));
            Assert.False(executor.Started, "the client must not get in");
        }
    }

    [Fact]
    public async Task ClientWithAnExpiredCertificateCannotConnect()
    {
        await using var cluster = new ClusterHarness();
        await cluster.StartSiloAsync("zone1", extra: TlsArgs(_pki, "silo1"));
        var (certificate, key) = _pki.IssueExpired("expired-executor");
        var jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "jobs-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(jobRoot);

        var executor = await StartInBackgroundAsync(cluster, () => Zuul.LiveLog.Executor.ExecutorApp.Build(
            [
                .. cluster.ClientArgs(),
                "--Executor:JobRoot", jobRoot,
                "--Executor:LogStreamPort", "0",
                "--Executor:ListenAddress", "127.0.0.1",
                "--Orleans:Tls:Certificate", certificate, "--Orleans:Tls:Key", key, "--Orleans:Tls:Ca", _pki.CaPath,
            ],
            cluster.ConfigureLogging));
        await using (executor)
        {
            await cluster.Logs.WaitForAsync("Orleans TLS: refused a connection to the gateway port", "the silo's refusal line", TimeSpan.FromSeconds(30), "certificate 'CN=expired-executor' refused: certificate is outside its validity period");
            await cluster.Logs.WaitForAsync($"Orleans TLS: could not connect to 127.0.0.1:{cluster.OrleansGatewayPort}", "the executor's line", TimeSpan.FromSeconds(30));
            Assert.False(executor.Started, "the client must not get in");
        }
    }

    [Fact]
    public void HalfConfiguredTlsIsRefusedListingWhatIsMissing()
    {
        var issued = _pki.Issue("lonely");
        var error = Assert.Throws<Zuul.LiveLog.Hosting.OptionsStartupException>(() => SiloApp.Build(["--Orleans:Tls:Certificate", issued.Certificate]));

        Assert.Contains("Orleans:Tls is half-configured: Orleans:Tls:Key, Orleans:Tls:Ca are missing", error.Message, StringComparison.Ordinal);
    }

    private static string[] TlsArgs(TestPki pki, string name)
    {
        var (certificate, key) = pki.Issue(name);
        return ["--Orleans:Tls:Certificate", certificate, "--Orleans:Tls:Key", key, "--Orleans:Tls:Ca", pki.CaPath];
    }

    private static string ClusterIdOf(ClusterHarness cluster) => cluster.ClientArgs()[1];

    /// <summary>Starts an app whose start-up is expected to hang (it cannot get in); disposal cancels and stops it.</summary>
    private static Task<BackgroundApp> StartInBackgroundAsync(ClusterHarness cluster, Func<WebApplication> build)
    {
        _ = cluster;
        var app = build();
        var stop = new CancellationTokenSource();
        var start = Task.Run(() => app.StartAsync(stop.Token));
        return Task.FromResult(new BackgroundApp(app, start, stop));
    }

    private sealed class BackgroundApp(WebApplication app, Task start, CancellationTokenSource stop) : IAsyncDisposable
    {
        public bool Started => start.IsCompletedSuccessfully;

        public async ValueTask DisposeAsync()
        {
            await stop.CancelAsync();
            await Task.WhenAny(start, Task.Delay(TimeSpan.FromSeconds(15)));
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await app.StopAsync(deadline.Token);
            }
            catch (Exception exception) when (exception is OperationCanceledException or InvalidOperationException)
            {
            }

            await app.DisposeAsync();
            stop.Dispose();
        }
    }
}
