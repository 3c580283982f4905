using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Integration;

namespace Zuul.LiveLog.Tests.Zones;

/// <summary>
/// <c>scripts/run-zones.sh</c> as a user runs it, in its default (secure) mode: its own development PKI, ZooKeeper on a
/// TLS-only port, Orleans over mutual TLS, TLS finger gateways with client certificates. A running demo build of each
/// zone streams completely through the web frontend and through zone 2's gateway (with <c>scripts/finger</c> and the
/// script's user certificate); a plaintext client gets nothing from ZooKeeper's port or from the gateway's.
/// Every port comes from <see cref="TestPorts"/>; the script's processes are stopped by the script (SIGTERM), and any
/// left after that by their pids.
/// </summary>
public sealed partial class RunZonesScriptTests : IAsyncLifetime
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StreamTimeout = TimeSpan.FromMinutes(4);
    private readonly string _runDir = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "run-zones-" + Guid.NewGuid().ToString("N"));
    private readonly Dictionary<string, int> _ports = new[]
    {
        "ZK_PORT", "WEB_PORT", "FINGER_PORT", "SILO_PORT_1", "SILO_PORT_2", "GATEWAY_PORT_1", "GATEWAY_PORT_2", "EXECUTOR_PORT", "HEALTH_PORT",
    }.ToDictionary(name => name, _ => TestPorts.Next());
    private readonly StringBuilder _output = new();
    private Process _script = null!;

    private Uri Web => new($"http://127.0.0.1:{_ports["WEB_PORT"]}/");

    private string Pki(string file) => Path.Combine(_runDir, "pki", file);

    public async Task InitializeAsync()
    {
        var start = new ProcessStartInfo("bash")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot.Path,
        };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "scripts", "run-zones.sh"));
        start.ArgumentList.Add("--no-build"); // the test run built Release already
        start.Environment["RUN_DIR"] = _runDir;
        foreach (var (name, port) in _ports)
        {
            start.Environment[name] = port.ToString(CultureInfo.InvariantCulture);
        }

        _script = Process.Start(start)!;
        _script.OutputDataReceived += (_, e) => Append(e.Data);
        _script.ErrorDataReceived += (_, e) => Append(e.Data);
        _script.BeginOutputReadLine();
        _script.BeginErrorReadLine();
        await Eventually.UntilAsync(() => Output.Contains("The two-zone topology is running", StringComparison.Ordinal) || _script.HasExited,
            "run-zones.sh to print its banner", StartTimeout);
        Assert.False(_script.HasExited, "run-zones.sh exited while starting:\n" + Output + Logs());
    }

    public async Task DisposeAsync()
    {
        // The script stops its processes newest first on SIGTERM; whatever is left after that (a script killed early) goes by pid.
        if (!_script.HasExited)
        {
            Signal(_script.Id);
            using var wait = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await _script.WaitForExitAsync(wait.Token).ContinueWith(_ => { }, TaskScheduler.Default);
        }

        var pids = Path.Combine(_runDir, "pids");
        if (File.Exists(pids))
        {
            foreach (var line in await File.ReadAllLinesAsync(pids))
            {
                if (int.TryParse(line, out var pid))
                {
                    try
                    {
                        using var left = Process.GetProcessById(pid);
                        left.Kill(entireProcessTree: true);
                    }
                    catch (ArgumentException)
                    {
                        // already gone
                    }
                }
            }
        }

        if (!_script.HasExited)
        {
            _script.Kill(entireProcessTree: true);
        }

        _script.Dispose();
        Directory.Delete(_runDir, recursive: true);
    }

    [Fact]
    public async Task SecureByDefaultStreamsBothZonesAndRefusesPlaintext()
    {
        Assert.Contains("running, secure", Output, StringComparison.Ordinal);
        var builds = await RunningBuildPerZoneAsync();

        // Each build through the web frontend (zone 1: its executor directly; zone 2: zone 2's gateway over TLS with the
        // web frontend's certificate) and through zone 2's gateway with the user certificate of the script's PKI.
        var streams = builds.Select(b => (b.Zone, b.Uuid,
            Web: WebsocketClient.StreamAsync(Web, $"{{\"uuid\": \"{b.Uuid}\"}}", StreamTimeout, tenant: b.Tenant),
            Finger: FingerScriptAsync(b.Uuid))).ToList();
        foreach (var (zone, uuid, web, finger) in streams)
        {
            var (status, reason, text) = await web;
            var (exitCode, fingered, errors) = await finger;
            var log = await File.ReadAllTextAsync(LogFileOf(uuid));
            Assert.True(log.Length > 0, $"the {zone} build's log is empty");
            Assert.True(WebSocketCloseStatus.NormalClosure == status, $"web frontend closed the {zone} build's stream with {status} {reason}");
            Assert.True(log == text, $"the web frontend's stream of the {zone} build differs from its log ({text.Length} of {log.Length} chars)");
            Assert.True(exitCode == 0, $"scripts/finger for the {zone} build exited with {exitCode}: {errors}");
            Assert.True(log == fingered, $"zone 2's gateway streamed {fingered.Length} of {log.Length} chars of the {zone} build: {errors}");
        }

        // A plaintext finger request on zone 2's gateway: the TLS port answers nothing, and says why in its log.
        var silo2Log = Path.Combine(_runDir, "logs", "silo-zone2.log");
        var refusedBefore = CountLines(silo2Log, "TLS handshake from");
        var plaintext = await ReadWithoutTlsAsync("127.0.2.1", _ports["FINGER_PORT"], Encoding.ASCII.GetBytes(builds[0].Uuid + "\r\n"));
        Assert.Empty(plaintext);
        await Eventually.UntilAsync(() => CountLines(silo2Log, "TLS handshake from") > refusedBefore, "zone 2's gateway to log the refused plaintext request", StreamTimeout);

        // A plaintext ZooKeeper ConnectRequest (protocol 0, timeout 30 s, no session, empty password): no answer.
        var connect = new byte[] { 0, 0, 0, 44, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x75, 0x30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 16 }
            .Concat(new byte[16]).ToArray();
        Assert.Empty(await ReadWithoutTlsAsync("127.0.0.1", _ports["ZK_PORT"], connect));
        Assert.Contains("TLS port only", Output, StringComparison.Ordinal);
        var zooCfg = await File.ReadAllLinesAsync(Path.Combine(_runDir, "zk", "zoo.cfg"));
        Assert.Contains($"secureClientPort={_ports["ZK_PORT"]}", zooCfg);
        Assert.DoesNotContain(zooCfg, line => line.StartsWith("clientPort=", StringComparison.Ordinal));
    }

    /// <summary>A running build of zone 1 and one of zone 2 (with its tenant), from the web frontend's API.</summary>
    private async Task<List<(string Zone, string Uuid, string Tenant)>> RunningBuildPerZoneAsync()
    {
        using var http = new HttpClient { BaseAddress = Web };
        var found = new Dictionary<string, (string Uuid, string Tenant)>();
        await Eventually.UntilAsync(async () =>
        {
            foreach (var b in await TenantBuilds.ListAsync(http, "running") ?? [])
            {
                if (b.Zone is { } zone)
                {
                    found.TryAdd(zone, (b.Uuid, b.Tenant));
                }
            }

            return found.ContainsKey("zone1") && found.ContainsKey("zone2");
        }, "a running build in each zone", StartTimeout);
        return [("zone1", found["zone1"].Uuid, found["zone1"].Tenant), ("zone2", found["zone2"].Uuid, found["zone2"].Tenant)];
    }

    private async Task<(int ExitCode, string Output, string Errors)> FingerScriptAsync(string uuid)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(RepositoryRoot.Path, "scripts", "finger"));
        start.ArgumentList.Add($"{uuid}@127.0.2.1:{_ports["FINGER_PORT"].ToString(CultureInfo.InvariantCulture)}");
        start.Environment["FINGER_CA"] = Pki("finger-ca.pem");
        start.Environment["FINGER_CERT"] = Pki("finger-user.pem");
        start.Environment["FINGER_KEY"] = Pki("finger-user.key");
        start.Environment["FINGER_SERVERNAME"] = "gw.zone2.zuul.test";
        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(StreamTimeout);
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var errors = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return (process.ExitCode, await output, await errors);
    }

    /// <summary>Sends <paramref name="request"/> in plaintext and reads until the server closes (a reset counts as closed).</summary>
    private static async Task<byte[]> ReadWithoutTlsAsync(string host, int port, byte[] request)
    {
        using var cts = new CancellationTokenSource(StreamTimeout);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cts.Token);
        var stream = client.GetStream();
        using var received = new MemoryStream();
        try
        {
            await stream.WriteAsync(request, cts.Token);
            var buffer = new byte[4096];
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (IOException)
        {
            // reset by the server
        }

        return received.ToArray();
    }

    private string LogFileOf(string uuid) =>
        Directory.EnumerateDirectories(_runDir, "jobs-*")
            .Select(jobs => Path.Combine(jobs, uuid, "work", "logs", "job-output.txt"))
            .Single(File.Exists);

    private static int CountLines(string file, string part) =>
        File.Exists(file) ? File.ReadLines(file).Count(l => l.Contains(part, StringComparison.Ordinal)) : 0;

    private string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    private string Logs() =>
        string.Join("\n", Directory.Exists(Path.Combine(_runDir, "logs"))
            ? Directory.EnumerateFiles(Path.Combine(_runDir, "logs")).Select(f => $"--- {Path.GetFileName(f)}\n" + string.Join("\n", File.ReadLines(f).TakeLast(15)))
            : []);

    private static void Signal(int pid)
    {
        using var kill = Process.Start("kill", ["-TERM", pid.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }
}
