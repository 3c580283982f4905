using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// A real ZooKeeper server (Debian's zookeeper package) on a free loopback port with a temporary data dir.
/// Can be stopped and started again on the same port and data, to test reconnects and session survival.
/// With <see cref="ZooKeeperServerTls"/> it listens on a <c>secureClientPort</c> only (Netty, PEM stores, x509 identities).
/// </summary>
public sealed class ZooKeeperServer : IAsyncDisposable
{
    private const string JavaDir = "/usr/share/java";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory;
    private readonly string _configPath;
    private Process? _process;
    private readonly Lock _consoleLock = new();
    private bool _paused;

    private ZooKeeperServer(int port, string directory, string address, ZooKeeperServerTls? tls)
    {
        Port = port;
        Address = address;
        Tls = tls;
        _directory = directory;
        _configPath = Path.Combine(directory, "zoo.cfg");
        var dataDir = Path.Combine(directory, "data");
        Directory.CreateDirectory(dataDir);
        // TLS: the secure port only, as a Zuul site's ensemble usually runs; the x509 provider turns a client
        // certificate's subject into the session's identity (x509:<subject>) for ACLs.
        var listener = tls is null
            ? $"clientPortAddress={address}\nclientPort={port}"
            : $"""
                secureClientPortAddress={address}
                secureClientPort={port}
                serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory
                ssl.keyStore.location={tls.KeyStorePem}
                ssl.trustStore.location={tls.TrustStorePem}
                ssl.clientAuth={tls.ClientAuth}
                authProvider.x509=org.apache.zookeeper.server.auth.X509AuthenticationProvider
                """;
        File.WriteAllText(_configPath, $"""
            tickTime=200
            dataDir={dataDir}
            {listener}
            admin.enableServer=false
            4lw.commands.whitelist=ruok,srvr,cons
            minSessionTimeout=1000
            maxSessionTimeout=60000
            maxClientCnxns=0
            forceSync=no
            jute.maxbuffer=1048576
            """);
    }

    public int Port { get; }

    /// <summary>The address the server listens on (loopback unless a test needs it on another network).</summary>
    public string Address { get; }

    /// <summary>The TLS settings of a secure-port-only server, or null.</summary>
    public ZooKeeperServerTls? Tls { get; }

    public string ConnectionString => $"{Address}:{Port}";

    public bool IsRunning => _process is { HasExited: false };

    /// <summary>The server's own log, for assertion messages.</summary>
    public string LogPath => Path.Combine(_directory, "server.log");

    /// <summary>What the JVM printed outside the log (fatal errors, a failed bind before logging started).</summary>
    public string ConsolePath => Path.Combine(_directory, "console.log");

    public static async Task<ZooKeeperServer> StartAsync(string address = "127.0.0.1", ZooKeeperServerTls? tls = null)
    {
        var zookeeperJar = Path.Combine(JavaDir, "zookeeper.jar");
        if (!File.Exists(zookeeperJar))
        {
            throw new InvalidOperationException($"{zookeeperJar} not found; install it with scripts/install-deps.sh zookeeper.");
        }

        var directory = Path.Combine(Path.GetTempPath(), "zk-test-" + Guid.NewGuid().ToString("N")[..12]);
        var server = new ZooKeeperServer(TestPorts.Next(), directory, address, tls);
        await server.StartAsync(CancellationToken.None);
        return server;
    }

    /// <summary>Starts the process and waits until it serves requests; a JVM that dies while starting is started again.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (IsRunning)
        {
            return;
        }

        var deadline = DateTime.UtcNow + StartTimeout;
        for (var attempt = 1; ; attempt++)
        {
            var process = Launch();
            while (!await ServesRequestsAsync(cancellationToken))
            {
                if (process.HasExited)
                {
                    break;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"ZooKeeper did not answer on port {Port} within {StartTimeout}: {DescribeForFailure()}");
                }

                await Task.Delay(50, cancellationToken);
            }

            if (!process.HasExited)
            {
                return;
            }

            var exitCode = process.ExitCode;
            _process = null;
            process.Dispose();
            if (attempt >= 3 || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"ZooKeeper on port {Port} exited with {exitCode} while starting, {attempt} times: {DescribeForFailure()}");
            }

            Console.Error.WriteLine($"ZooKeeper on port {Port} exited with {exitCode} while starting (attempt {attempt}); starting it again. {DescribeForFailure()}");
            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken);
        }
    }

    /// <summary>
    /// Puts the server back in service if a test left it stopped or frozen; returns what was wrong, or null.
    /// Shared by a whole collection, one broken test must not take every later one with it.
    /// </summary>
    public async Task<string?> EnsureRunningAsync()
    {
        string? repaired = null;
        if (_paused && IsRunning)
        {
            Resume();
            repaired = "it was frozen (SIGSTOP)";
        }

        if (!IsRunning)
        {
            var exitCode = _process is { HasExited: true } exited ? exited.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "none";
            _process?.Dispose();
            _process = null;
            repaired = $"it was not running (exit code {exitCode}): {DescribeForFailure()}";
            await StartAsync(CancellationToken.None);
        }

        return repaired;
    }

    private Process Launch()
    {
        // zookeeper.jar's manifest carries the rest of the class path; slf4j-simple writes the server log to a file.
        // Netty's TLS handler also needs netty-codec and netty-resolver, which Debian's manifest leaves out.
        var classPath = string.Join(':', new[] { "zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar", "netty-codec.jar", "netty-resolver.jar" }
            .Select(jar => Path.Combine(JavaDir, jar))
            .Where(File.Exists));
        var start = new ProcessStartInfo("java")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
        {
            "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
            $"-Dorg.slf4j.simpleLogger.logFile={LogPath}",
            "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
            "-Dorg.slf4j.simpleLogger.showDateTime=true",
            "-Dzookeeper.jmx.log4j.disable=true",
            "-cp", classPath,
            "org.apache.zookeeper.server.ZooKeeperServerMain", _configPath,
        })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("Could not start java.");
        _process = process;
        _paused = false;
        // Little is printed here (the log goes to LogPath), so appending line by line is cheap and needs no disposal.
        DataReceivedEventHandler write = (_, e) =>
        {
            if (e.Data is not { } line)
            {
                return;
            }

            lock (_consoleLock)
            {
                try
                {
                    File.AppendAllText(ConsolePath, line + "\n");
                }
                catch (IOException)
                {
                    // The directory is gone once the server is disposed; a handler must never throw.
                }
            }
        };
        process.OutputDataReceived += write;
        process.ErrorDataReceived += write;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Kills the server (like a crash: no goodbye to clients) and waits until the port is free.</summary>
    public async Task StopAsync()
    {
        var process = _process;
        _process = null;
        _paused = false;
        if (process is null)
        {
            return;
        }

        if (!process.HasExited)
        {
            process.Kill(entireProcessTree: true);
        }

        await process.WaitForExitAsync();
        process.Dispose();
    }

    /// <summary>Freezes the server process (SIGSTOP): connections stay open but nothing is answered.</summary>
    /// <remarks>
    /// kill() returns before every thread has stopped; a request sent in that window could still be answered.
    /// So this waits until each of the JVM's threads shows state T in /proc.
    /// </remarks>
    public async Task PauseAsync()
    {
        Signal(19);
        _paused = true;
        var pid = _process!.Id;
        await Eventually.UntilAsync(() => AllThreadsStopped(pid), $"every thread of ZooKeeper (pid {pid}) to be stopped", TimeSpan.FromSeconds(10));
    }

    /// <summary>Thaws a paused server (SIGCONT).</summary>
    public void Resume()
    {
        Signal(18);
        _paused = false;
    }

    public async Task RestartAsync(CancellationToken cancellationToken = default)
    {
        await StopAsync();
        await StartAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (Environment.GetEnvironmentVariable("ZK_TEST_KEEP_DATA") == "1")
        {
            return; // kept for post-mortems: server.log and the data dir
        }

        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS to clean; never fail a test run on temp files.
        }
    }

    /// <summary>Sends a four-letter command (ruok, srvr, cons) and returns the answer (over TLS with the probe certificate on a TLS server).</summary>
    public async Task<string> FourLetterAsync(string command, CancellationToken cancellationToken = default)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Parse(Address), Port, cancellationToken);
        Stream stream = client.GetStream();
        if (Tls is not null)
        {
            var ssl = new SslStream(stream);
            using var probe = X509Certificate2.CreateFromPemFile(Tls.ProbeCertificate, Tls.ProbeKey);
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = Address,
                ClientCertificates = [probe],
                RemoteCertificateValidationCallback = (_, _, _, _) => true, // a readiness probe, not a test of trust
            }, cancellationToken);
            stream = ssl;
        }

        await using var _ = stream;
        await stream.WriteAsync(Encoding.ASCII.GetBytes(command), cancellationToken);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    private async Task<bool> ServesRequestsAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(2));
            // ruok answers while the server is still loading; srvr reports the mode only once it serves requests.
            return (await FourLetterAsync("srvr", timeout.Token)).Contains("Mode: standalone", StringComparison.Ordinal);
        }
        catch (Exception exception) when (exception is SocketException or IOException or AuthenticationException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    /// <summary>The tails of the server's log and console, for assertion messages.</summary>
    public string DescribeForFailure() => $"log: {Tail(LogPath)}\nconsole: {Tail(ConsolePath)}";

    private static string Tail(string path)
    {
        try
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var reader = new StreamReader(stream);
            var lines = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            return lines.Length == 0 ? "(empty)" : string.Join('\n', lines.TakeLast(20));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return "(none)";
        }
    }

    private static bool AllThreadsStopped(int pid)
    {
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                // The state follows the parenthesised command name, which may itself contain spaces.
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var state = stat[(stat.LastIndexOf(')') + 2)..][0];
                if (state is not ('T' or 't' or 'Z' or 'X'))
                {
                    return false;
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // The thread ended meanwhile.
            }
        }

        return true;
    }

    private void Signal(int signal)
    {
        var process = _process ?? throw new InvalidOperationException("The server is not running.");
        if (kill(process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({process.Id}, {signal}) failed: {Marshal.GetLastPInvokeError()}");
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
