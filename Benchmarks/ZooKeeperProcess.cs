using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>A throwaway ZooKeeper server from Debian's package (/usr/share/java) on a free loopback port.</summary>
internal sealed class ZooKeeperProcess : IAsyncDisposable
{
    private const string JavaDir = "/usr/share/java";
    private readonly Process _process;

    private ZooKeeperProcess(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public string ConnectionString => $"127.0.0.1:{Port}";

    public static bool Available => File.Exists(Path.Combine(JavaDir, "zookeeper.jar"));

    public static async Task<ZooKeeperProcess> StartAsync(string workDirectory)
    {
        int port;
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        var data = Directory.CreateDirectory(Path.Combine(workDirectory, "zookeeper")).FullName;
        var config = Path.Combine(data, "zoo.cfg");
        await File.WriteAllLinesAsync(config,
        [
            "tickTime=500", $"dataDir={data}", $"clientPort={port}", "clientPortAddress=127.0.0.1",
            "admin.enableServer=false", "maxClientCnxns=0",
        ]);
        var classPath = string.Join(':', new[] { "zookeeper.jar", "zookeeper-jute.jar", "slf4j-api.jar", "slf4j-simple.jar" }
            .Select(jar => Path.Combine(JavaDir, jar)).Where(File.Exists));
        var start = new ProcessStartInfo("java") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[]
        {
            "-Xmx512m", $"-Dorg.slf4j.simpleLogger.logFile={Path.Combine(data, "server.log")}",
            "-cp", classPath, "org.apache.zookeeper.server.ZooKeeperServerMain", config,
        })
        {
            start.ArgumentList.Add(a);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("could not start java");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new ZooKeeperProcess(process, port);
        var deadline = Stopwatch.StartNew();
        while (!await server.ServesAsync())
        {
            if (process.HasExited || deadline.Elapsed > TimeSpan.FromSeconds(60))
            {
                await server.DisposeAsync();
                throw new InvalidOperationException($"ZooKeeper did not start on port {port}; see {data}/server.log");
            }

            await Task.Delay(100);
        }

        return server;
    }

    /// <summary>The four-letter word `srvr` answers once the server serves requests.</summary>
    private async Task<bool> ServesAsync()
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, Port);
            var stream = client.GetStream();
            await stream.WriteAsync("srvr"u8.ToArray());
            using var reader = new StreamReader(stream);
            return (await reader.ReadToEndAsync()).Contains("Mode:", StringComparison.Ordinal);
        }
        catch (SocketException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }
}
