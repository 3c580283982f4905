using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Finger.Tls;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Tls;

/// <summary>
/// Streams crossing from zone 1 into zone 2 over TLS: the web frontend and zone 1's client-only gateway
/// talk TLS with client certificates to zone 2's gateway, which reaches its executor directly.
/// </summary>
public sealed class TlsAcrossZonesTests : IAsyncLifetime
{
    private const string Gw2Name = "gw2.zone2.test";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly ClusterHarness _cluster = new();
    private readonly TestPki _pki = new();
    private readonly TestPki _rogue = new("Rogue CA");
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "tls-" + Guid.NewGuid().ToString("N"));
    private SiloHandle _gw1 = null!;
    private SiloHandle _gw2 = null!;
    private Uri _web = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        var gw1 = _pki.Issue("gw1", "gw1.zone1.test");
        var gw2 = _pki.Issue("gw2", Gw2Name);
        var web = _pki.Issue("web", "web.zone1.test");
        var alt = _pki.Issue("alt", "alt.zone2.test");
        // Zone 1's gateway listens in plaintext for users and speaks TLS towards other zones (client-only).
        _gw1 = await _cluster.StartSiloAsync("zone1", "127.0.0.1",
            "--FingerGateway:Tls:Certificate", gw1.Certificate, "--FingerGateway:Tls:Key", gw1.Key,
            "--FingerGateway:Tls:Ca", _pki.CaPath, "--FingerGateway:Tls:ClientOnly", "true",
            $"--FingerGateway:Hosts:{Gw2Name}", "127.0.0.1");
        _gw2 = await _cluster.StartSiloAsync("zone2", "127.0.0.1",
            "--FingerGateway:Hostname", Gw2Name,
            "--FingerGateway:Tls:Certificate", gw2.Certificate, "--FingerGateway:Tls:Key", gw2.Key,
            "--FingerGateway:Tls:Ca", _pki.CaPath, "--FingerGateway:Tls:HandshakeTimeout", "00:00:01",
            "--FingerGateway:Tls:ServerNames:alt.zone2.test:Certificate", alt.Certificate,
            "--FingerGateway:Tls:ServerNames:alt.zone2.test:Key", alt.Key);
        await _cluster.StartExecutorAsync(_jobRoot, "zone2");
        _web = await _cluster.StartWebFrontendAsync("zone1",
            "--FingerClient:Tls:Certificate", web.Certificate, "--FingerClient:Tls:Key", web.Key,
            "--FingerClient:Tls:Ca", _pki.CaPath, $"--FingerClient:Hosts:{Gw2Name}", "127.0.0.1");
        await _cluster.WaitForGatewaysAsync("zone2", 1);
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        _pki.Dispose();
        _rogue.Dispose();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task StreamCrossesZonesOverTlsThroughWebAndFinger()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var web = WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{build.Id}\"}}", Timeout);
        var finger = FingerClient.FetchAsync(_gw1.FingerPort, build.Id + "\n", Timeout);
        for (var i = 0; i < 200; i++)
        {
            await build.AppendAsync($"secret-ish line {i} \u001b[31mred\u001b[0m\n");
        }

        await build.FinishAsync();
        var expected = await File.ReadAllBytesAsync(build.LogPath);
        Assert.Equal(expected, await finger);
        var (status, _, text) = await web;
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal(Encoding.UTF8.GetString(expected), text);
    }

    [Fact]
    public async Task MissingClientCertificateIsRefusedAndBothSidesSaySo()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var noCert = await _cluster.StartWebFrontendAsync("zone1",
            "--FingerClient:Tls:Ca", _pki.CaPath, $"--FingerClient:Hosts:{Gw2Name}", "127.0.0.1");
        var (status, reason, text) = await WebsocketClient.StreamAsync(noCert, $"{{\"uuid\": \"{build.Id}\"}}", Timeout);
        Assert.Equal(4011, (int)status!);
        Assert.Contains("refused", reason, StringComparison.Ordinal);
        Assert.Empty(text);
        await _cluster.Logs.WaitForAsync("refused: client no certificate presented", "the gateway to log the refused handshake", Timeout);
        Assert.True(_cluster.Logs.Contains("closed the stream without sending anything while the build runs"), "the web frontend logs the refusal");
    }

    [Fact]
    public async Task ClientCertificateFromAnotherCaIsRefused()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var rogue = _rogue.Issue("rogue-client", "web.zone1.test");
        var connector = Connector(rogue, _pki.CaPath);
        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await using var stream = await connector.ConnectAsync(Gw2Name, _gw2.FingerPort, tls: true, build.Id, CancellationToken.None);
            // TLS 1.3 reports a refused client certificate on the first read, not in the handshake.
            var n = await stream.ReadAsync(new byte[16]);
            if (n == 0)
            {
                throw new IOException("closed without data");
            }
        });
        await _cluster.Logs.WaitForAsync("refused: client certificate is not signed by the configured CA", "the gateway to log the rogue client certificate", Timeout);
    }

    [Fact]
    public async Task HostnameMismatchIsRefusedWhenVerified()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var client = _pki.Issue("client2", "web.zone1.test");
        var verifying = Connector(client, _pki.CaPath, ("wrong-name.test", "127.0.0.1"));
        var ex = await Assert.ThrowsAsync<FingerTlsException>(() =>
            verifying.ConnectAsync("wrong-name.test", _gw2.FingerPort, tls: true, build.Id, CancellationToken.None));
        Assert.Contains("does not name the host", ex.Message, StringComparison.Ordinal);
        // Depending on timing the gateway sees the client leave during or right after the handshake.
        await _cluster.Logs.WaitForAsync("(SNI wrong-name.test)", "the gateway to log the client that refused its certificate", Timeout, "may have refused our certificate");

        // The same name with verification off is accepted (the CA still has to match).
        var lenient = Connector(client, _pki.CaPath, ("wrong-name.test", "127.0.0.1"), verifyHostnames: false);
        await using var stream = await lenient.ConnectAsync("wrong-name.test", _gw2.FingerPort, tls: true, build.Id, CancellationToken.None);
        await build.AppendAsync("hello\n");
        var buffer = new byte[6];
        await stream.ReadExactlyAsync(buffer);
        Assert.Equal("hello\n", Encoding.ASCII.GetString(buffer));
    }

    [Fact]
    public async Task TheCertificateIsChosenBySniServerName()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync("by name\n");
        await build.FinishAsync();
        var client = _pki.Issue("client3", "web.zone1.test");

        // Hostname verification passes only if the gateway presents the certificate named by the SNI.
        var connector = Connector(client, _pki.CaPath, ("alt.zone2.test", "127.0.0.1"));
        await using var stream = await connector.ConnectAsync("alt.zone2.test", _gw2.FingerPort, tls: true, build.Id, CancellationToken.None);
        var text = await new StreamReader(stream).ReadToEndAsync();
        Assert.Equal("by name\n", text);
    }

    [Fact]
    public async Task JunkOnTheTlsPortIsDroppedWithinTheHandshakeTimeoutWhileAStreamFlows()
    {
        var build = await _cluster.StartBuildAsync(_jobRoot);
        var flowing = new List<string>();
        var web = WebsocketClient.StreamAsync(_web, $"{{\"uuid\": \"{build.Id}\"}}", Timeout, chunk => { lock (flowing) { flowing.Add(chunk); } });
        await build.AppendAsync("before\n");
        await Eventually.UntilAsync(() => { lock (flowing) { return flowing.Count > 0; } }, "the parallel stream to start", Timeout);

        var junk = new Func<NetworkStream, Task>[]
        {
            s => s.WriteAsync(Encoding.ASCII.GetBytes(build.Id + "\r\n")).AsTask(), // plaintext finger request
            _ => Task.CompletedTask,                                                // stalls: says nothing
            s => s.WriteAsync(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3000)).AsTask(), // random bytes
            s => s.WriteAsync(new byte[] { 0x16, 0x03, 0x01, 0x00, 0x50, 0x01 }).AsTask(), // a ClientHello that never finishes
        };
        foreach (var send in junk)
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", _gw2.FingerPort);
            var stream = client.GetStream();
            await send(stream);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            var drained = new MemoryStream();
            try
            {
                await stream.CopyToAsync(drained, cts.Token);
            }
            catch (IOException)
            {
                // A reset is a fine way to be dropped.
            }

            Assert.False(cts.IsCancellationRequested, "the gateway kept a junk connection open");
            Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"dropped only after {sw.Elapsed}");
            Assert.DoesNotContain(build.Id, Encoding.ASCII.GetString(drained.ToArray()), StringComparison.Ordinal);
        }

        await build.AppendAsync("after\n");
        await build.FinishAsync();
        var (status, _, text) = await web;
        Assert.Equal(WebSocketCloseStatus.NormalClosure, status);
        Assert.Equal("before\nafter\n", text);
        Assert.True(_cluster.Logs.Contains("no handshake within 1 s"), "a stalled handshake is logged");
    }

    private static FingerConnector Connector((string Certificate, string Key) cert, string ca, (string Name, string Address)? host = null, bool verifyHostnames = true)
    {
        var options = new FingerConnectorOptions
        {
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Tls = new FingerTlsOptions { Certificate = cert.Certificate, Key = cert.Key, Ca = ca, VerifyHostnames = verifyHostnames },
        };
        options.Hosts[Gw2Name] = "127.0.0.1";
        if (host is { } h)
        {
            options.Hosts[h.Name] = h.Address;
        }

        return new FingerConnector(options);
    }
}
