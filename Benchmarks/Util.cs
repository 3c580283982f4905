using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>Percentiles and medians over measured samples.</summary>
internal static class Stats
{
    public static double Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return double.NaN;
        }

        var sorted = values.OrderBy(v => v).ToArray();
        var rank = p / 100.0 * (sorted.Length - 1);
        var lo = (int)Math.Floor(rank);
        var hi = (int)Math.Ceiling(rank);
        return sorted[lo] + ((sorted[hi] - sorted[lo]) * (rank - lo));
    }

    public static double Median(IReadOnlyList<double> values) => Percentile(values, 50);

    public static double Max(IReadOnlyList<double> values) => values.Count == 0 ? double.NaN : values.Max();

    public static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

internal static class Net
{
    /// <summary>A port that was free a moment ago (bind to 0, read, release).</summary>
    public static int FreePort()
    {
        using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)s.LocalEndPoint!).Port;
    }

    public static async Task WaitForPortAsync(int port, TimeSpan timeout, string what, Func<bool>? alive = null)
    {
        var sw = Stopwatch.StartNew();
        while (sw.Elapsed < timeout)
        {
            if (alive is not null && !alive())
            {
                throw new InvalidOperationException($"{what} exited before opening port {port}");
            }

            try
            {
                using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                await s.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(200);
            }
        }

        throw new TimeoutException($"{what} did not open port {port} within {timeout.TotalSeconds:0} s");
    }
}

/// <summary>Small Linux helpers: process memory, signals, the descriptor limit.</summary>
internal static partial class Os
{
    public static long RssBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    /// <summary>user+sys CPU seconds of a process (from /proc/pid/stat).</summary>
    public static double CpuSeconds(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            // utime + stime + cutime + cstime: socat's forked children count once reaped.
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture)
                + long.Parse(fields[13], CultureInfo.InvariantCulture) + long.Parse(fields[14], CultureInfo.InvariantCulture);
            return ticks / 100.0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public static double CpuSeconds(IEnumerable<int> pids) => pids.Sum(CpuSeconds);

    /// <summary>Established TCP connections accepted on local <paramref name="port"/> now (from /proc/net/tcp and tcp6).</summary>
    public static int EstablishedTo(int port)
    {
        var hex = ":" + port.ToString("X4", CultureInfo.InvariantCulture);
        var count = 0;
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (var line in File.ReadLines(table).Skip(1))
            {
                // sl local_address rem_address st ...: state 01 is ESTABLISHED.
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length > 3 && fields[1].EndsWith(hex, StringComparison.Ordinal) && fields[3] == "01")
                {
                    count++;
                }
            }
        }

        return count;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    public static void Terminate(int pid) => _ = kill(pid, 15);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldPath, string newPath);

    /// <summary>A hard link, so several job roots serve the same page-cached bytes.</summary>
    public static void HardLink(string existing, string newPath)
    {
        if (link(existing, newPath) != 0)
        {
            File.Copy(existing, newPath);
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct RLimit
    {
        public ulong Cur;
        public ulong Max;
    }

    [LibraryImport("libc", SetLastError = true)]
    private static partial int getrlimit(int resource, out RLimit limit);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int setrlimit(int resource, in RLimit limit);

    /// <summary>Raises RLIMIT_NOFILE (as far as allowed); children started later inherit it. Returns the soft limit now.</summary>
    public static ulong RaiseFileLimit(ulong wanted)
    {
        const int RlimitNofile = 7;
        if (!OperatingSystem.IsLinux() || getrlimit(RlimitNofile, out var current) != 0)
        {
            return 0;
        }

        var next = new RLimit { Cur = Math.Max(current.Cur, wanted), Max = Math.Max(current.Max, wanted) };
        if (setrlimit(RlimitNofile, next) != 0)
        {
            next = new RLimit { Cur = Math.Max(current.Cur, Math.Min(wanted, current.Max)), Max = current.Max };
            _ = setrlimit(RlimitNofile, next);
        }

        return getrlimit(RlimitNofile, out current) == 0 ? current.Cur : 0;
    }
}

/// <summary>A child process started through <c>sh -c exec</c> so its pid is the program's, output to a log file.</summary>
internal sealed class Child
{
    private readonly Process _process;

    private Child(string name, Process process, string log)
    {
        Name = name;
        _process = process;
        LogPath = log;
    }

    public string Name { get; }

    public string LogPath { get; }

    public int Pid => _process.Id;

    public bool Alive => !_process.HasExited;

    public static Child Start(string name, string logDir, string program, IEnumerable<string> args, string? workingDirectory = null)
    {
        var log = Path.Combine(logDir, name + ".log");
        var psi = new ProcessStartInfo("/bin/sh") { UseShellExecute = false, WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory };
        psi.ArgumentList.Add("-c");
        psi.ArgumentList.Add("exec \"$0\" \"$@\" >>\"$BENCH_LOG\" 2>&1 </dev/null");
        psi.ArgumentList.Add(program);
        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        psi.Environment["BENCH_LOG"] = log;
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        var process = Process.Start(psi) ?? throw new InvalidOperationException("cannot start " + program);
        return new Child(name, process, log);
    }

    public string Tail(int lines = 15)
    {
        try
        {
            return string.Join('\n', File.ReadLines(LogPath).TakeLast(lines));
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>SIGTERM, then kill after <paramref name="grace"/>.</summary>
    public async Task StopAsync(TimeSpan grace)
    {
        if (_process.HasExited)
        {
            return;
        }

        Os.Terminate(_process.Id);
        using var cts = new CancellationTokenSource(grace);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }
    }
}
