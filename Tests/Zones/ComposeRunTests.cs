using System.Diagnostics;
using System.Net.Security;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Zuul.LiveLog.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>
/// docker-compose.yml for real (issue 16): <c>scripts/compose-up.sh</c> brings it up with the real docker-compose
/// against Podman, under a project name, published ports and subnets of this test's own. Every build of both zones
/// streams through the published web port (Zuul's console-stream websocket) and through zone 2's published finger
/// gateway port (TLS with the compose PKI's user certificate); a zone 1 container cannot connect to zone 2's executors,
/// which zone 2's own silo can. <c>scripts/compose-down.sh</c> tears everything down, also when the test fails.
/// </summary>
/// Run by <c>scripts/compose-test.sh</c>, which <c>scripts/test.sh</c> calls after the rest of the suite: a first run on a machine makes the base images
/// (about 16 minutes of debootstrap) and the run itself takes minutes more.
[Trait("Category", "Compose")]
public sealed class ComposeRunTests(ITestOutputHelper output)
{
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EveryBuildOfBothZonesStreamsThroughThePublishedPortsAndZoneOneCannotReachZoneTwosExecutors()
    {
        var project = $"zuul-compose-test-{Environment.ProcessId}";
        var runDir = Path.Combine(Path.GetTempPath(), project);
        // Networks of this run's own (172.31.x.0/24 .. 172.31.x+2.0/24), so runs of other engineers do not collide.
        var third = 4 * Random.Shared.Next(8, 62);
        var env = new Dictionary<string, string>
        {
            ["COMPOSE_PROJECT_NAME"] = project,
            ["RUN_DIR"] = runDir,
            ["ZUUL_WEB_PORT"] = TestPorts.Next().ToString(),
            ["ZUUL_ZONE1_FINGER_PORT"] = TestPorts.Next().ToString(),
            ["ZUUL_ZONE2_FINGER_PORT"] = TestPorts.Next().ToString(),
            ["ZUUL_ZOOKEEPER_PORT"] = TestPorts.Next().ToString(),
            ["ZUUL_ZONE1_NET"] = $"172.31.{third}",
            ["ZUUL_ZONE2_NET"] = $"172.31.{third + 1}",
            ["ZUUL_ZONE2_EDGE_NET"] = $"172.31.{third + 2}",
        };
        try
        {
            // The first run on a machine makes the base images (debootstrap: about 16 minutes here), later runs find them;
            // 40 minutes leave room for a slower mirror or machine and keep CI well inside its 90.
            var (upStatus, upText) = await RunAsync(env, TimeSpan.FromMinutes(40), Script("compose-up.sh"), "--no-build");
            Assert.True(upStatus == 0, "scripts/compose-up.sh failed:\n" + upText);
            output.WriteLine(File.ReadAllText(Path.Combine(runDir, "timing")));

            var web = new Uri($"http://127.0.0.1:{env["ZUUL_WEB_PORT"]}");
            var builds = await BuildsOfBothZonesAsync(web);
            foreach (var (uuid, zone, tenant) in builds)
            {
                var viaWeb = await StreamThroughWebAsync(web, tenant, uuid);
                var viaFinger = await StreamThroughGatewayAsync(int.Parse(env["ZUUL_ZONE2_FINGER_PORT"]), "gateway-zone2", runDir, uuid);
                output.WriteLine($"{zone} {uuid}: web {viaWeb.Length} chars, zone 2's gateway {viaFinger.Length} chars; first line {FirstLine(viaWeb)}");
                Assert.Equal(FirstLine(viaWeb), FirstLine(viaFinger));
            }

            // Zone 1 cannot reach zone 2's executors; zone 2's silo can (so a refusal is the network's, not a typo).
            foreach (var executor in new[] { "executor2", "executor3" })
            {
                var address = await ContainerAddressAsync(env, executor);
                Assert.True(await CanConnectAsync(env, "silo-zone2", address, 7900), $"zone 2's silo cannot reach {executor} at {address}:7900");
                Assert.False(await CanConnectAsync(env, "web", address, 7900), $"the web frontend (zone 1) reached {executor} at {address}:7900");
                Assert.False(await CanConnectAsync(env, "silo-zone1", address, 7900), $"zone 1's silo reached {executor} at {address}:7900");
            }

            output.WriteLine($"{builds.Count} builds streamed through web :{env["ZUUL_WEB_PORT"]} and zone 2's gateway :{env["ZUUL_ZONE2_FINGER_PORT"]}");
        }
        finally
        {
            var (downStatus, downText) = await RunAsync(env, TimeSpan.FromMinutes(5), Script("compose-down.sh"));
            output.WriteLine($"compose-down.sh: exit {downStatus}\n{downText}");
        }
    }

    /// <summary>The builds the web frontend lists once both zones have some (the demo executors start two each), of every tenant.</summary>
    private static async Task<List<ListedBuild>> BuildsOfBothZonesAsync(Uri web)
    {
        using var http = new HttpClient { BaseAddress = web, Timeout = TimeSpan.FromSeconds(10) };
        List<ListedBuild> builds = [];
        await Eventually.UntilAsync(
            async () =>
            {
                builds = await TenantBuilds.ListAsync(http) ?? [];
                return builds.Any(b => b.Zone == "zone1") && builds.Count(b => b.Zone == "zone2") >= 2;
            },
            "the web frontend lists builds of zone 1 and of both zone 2 executors",
            TimeSpan.FromMinutes(2));
        return builds;
    }

    /// <summary>Zuul's console-stream websocket: the log from its start, until its first complete line.</summary>
    private static async Task<string> StreamThroughWebAsync(Uri web, string tenant, string uuid)
    {
        using var cts = new CancellationTokenSource(StreamTimeout);
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new UriBuilder(web) { Scheme = "ws", Path = $"/api/tenant/{Uri.EscapeDataString(tenant)}/console-stream" }.Uri, cts.Token);
        var request = JsonSerializer.Serialize(new { uuid, logfile = "console.log" });
        await socket.SendAsync(Encoding.UTF8.GetBytes(request), WebSocketMessageType.Text, true, cts.Token);
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (!text.ToString().Contains('\n'))
        {
            var result = await socket.ReceiveAsync(buffer, cts.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                throw new InvalidOperationException($"build {uuid}: the websocket closed ({result.CloseStatus} {result.CloseStatusDescription}) after '{text}'");
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        return text.ToString();
    }

    /// <summary>The finger protocol over TLS to a published gateway, with the compose PKI's user certificate.</summary>
    private static async Task<string> StreamThroughGatewayAsync(int port, string gatewayName, string runDir, string uuid)
    {
        using var cts = new CancellationTokenSource(StreamTimeout);
        var certs = Path.Combine(runDir, "certs");
        using var ca = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(certs, "finger-ca.pem")));
        using var pem = X509Certificate2.CreateFromPemFile(Path.Combine(certs, "finger-user.pem"), Path.Combine(certs, "finger-user.key"));
        // SslStream needs a certificate with an exportable private key on Linux: go through PKCS#12 once.
        using var client = X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        using var tcp = new TcpClient();
        await tcp.ConnectAsync("127.0.0.1", port, cts.Token);
        await using var tls = new SslStream(tcp.GetStream());
        await tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions
            {
                TargetHost = gatewayName,
                ClientCertificates = [client],
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(certificate as X509Certificate2 ?? X509CertificateLoader.LoadCertificate(certificate.GetRawCertData()));
                },
            },
            cts.Token);
        await tls.WriteAsync(Encoding.ASCII.GetBytes(uuid + "\n"), cts.Token);
        var text = new StringBuilder();
        var buffer = new byte[64 * 1024];
        while (!text.ToString().Contains('\n'))
        {
            var read = await tls.ReadAsync(buffer, cts.Token);
            if (read == 0)
            {
                throw new InvalidOperationException($"build {uuid}: zone 2's gateway closed the stream after '{text}'");
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return text.ToString();
    }

    private static string FirstLine(string text) => text[..text.IndexOf('\n')].TrimEnd('\r');

    private static async Task<string> ContainerAddressAsync(Dictionary<string, string> env, string service)
    {
        var (status, id) = await RunAsync(env, TimeSpan.FromMinutes(1), "docker-compose", "ps", "-q", service);
        Assert.True(status == 0, "docker-compose ps failed: " + id);
        var (inspectStatus, address) = await RunAsync(env, TimeSpan.FromMinutes(1), "podman", "inspect", "--format",
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", id.Trim());
        Assert.True(inspectStatus == 0, "podman inspect failed: " + address);
        return address.Trim();
    }

    /// <summary>Opens a TCP connection from inside a service's container (bash's /dev/tcp), 5 s at most.</summary>
    private static async Task<bool> CanConnectAsync(Dictionary<string, string> env, string fromService, string address, int port)
    {
        var (status, _) = await RunAsync(env, TimeSpan.FromMinutes(1), "docker-compose", "exec", "-T", fromService,
            "timeout", "5", "bash", "-c", $"exec 3<>/dev/tcp/{address}/{port}");
        return status == 0;
    }

    private static string Script(string name) => Path.Combine(RepositoryRoot.Path, "scripts", name);

    /// <summary>Runs a command in the repository with the compose environment (the Podman socket once compose-up.sh wrote it).</summary>
    private static async Task<(int Status, string Output)> RunAsync(Dictionary<string, string> env, TimeSpan timeout, string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file, args)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        foreach (var (key, value) in env)
        {
            psi.Environment[key] = value;
        }

        var socket = Path.Combine(env["RUN_DIR"], "podman.sock");
        if (File.Exists(socket))
        {
            psi.Environment["DOCKER_HOST"] = "unix://" + socket;
        }

        using var process = Process.Start(psi) ?? throw new InvalidOperationException(file + " did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish within {timeout}");
        }

        return (process.ExitCode, await stdout + await stderr);
    }
}
