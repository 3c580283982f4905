using System.Collections.Concurrent;
using System.Diagnostics;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// One of the project's real programs (the Release dlls next to the tests) as a child process, optionally inside a
/// network namespace (<c>ip netns exec</c> execs the program, so the pid is the program's). Keeps every output line
/// for assertions and writes them to <c>artifacts/logs/&lt;name&gt;.log</c> for failures read later.
/// </summary>
public sealed class ComponentProcess : IAsyncDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StreamWriter _log;
    private readonly Lock _logLock = new();
    private Process _process;
    private readonly ProcessStartInfo _start;

    private ComponentProcess(string name, ProcessStartInfo start, string logPath)
    {
        Name = name;
        _start = start;
        Directory.CreateDirectory(Path.GetDirectoryName(logPath)!);
        _log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        _process = Launch();
    }

    public string Name { get; }

    public IReadOnlyCollection<string> Lines => _lines;

    public bool HasExited => _process.HasExited;

    public int Id => _process.Id;

    /// <summary>Starts <paramref name="dll"/> (e.g. <c>Orleans.Zuul.Silo.dll</c>) with <c>--Key value</c> arguments.</summary>
    public static ComponentProcess Start(string name, string? ns, string dll, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(ns is null ? "dotnet" : "ip")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (ns is not null)
        {
            foreach (var a in new[] { "netns", "exec", ns, "dotnet" })
            {
                start.ArgumentList.Add(a);
            }
        }

        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        // No colours or terminal width guesses in captured logs.
        start.Environment["DOTNET_SYSTEM_CONSOLE_ALLOW_ANSI_COLOR_REDIRECTION"] = "false";
        var logPath = Path.Combine(RepositoryRoot(), "artifacts", "logs", $"{name}-{DateTime.UtcNow:HHmmss}-{Guid.NewGuid().ToString("N")[..4]}.log");
        return new ComponentProcess(name, start, logPath);
    }

    /// <summary>Whether one output line contains every one of <paramref name="parts"/>.</summary>
    public bool Logged(params string[] parts) => _lines.Any(l => parts.All(p => l.Contains(p, StringComparison.Ordinal)));

    /// <summary>Waits until a line contains every one of <paramref name="parts"/>, failing early when the process exits.</summary>
    public Task WaitForLogAsync(TimeSpan timeout, params string[] parts) =>
        Eventually.UntilAsync(
            () => Task.FromResult(Logged(parts) || (_process.HasExited ? throw new InvalidOperationException($"{Name} exited with {_process.ExitCode}:\n{Tail()}") : false)),
            $"{Name} to log '{string.Join("' … '", parts)}'\n{Tail()}",
            timeout);

    /// <summary>The last output lines, for failure messages.</summary>
    public string Tail(int count = 30) => string.Join('\n', _lines.TakeLast(count).Select(l => $"  [{Name}] {l}"));

    /// <summary>SIGKILL, then waits for the exit.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
    }

    /// <summary>Sends a signal (<c>TERM</c>, <c>STOP</c>, <c>CONT</c>) to the program.</summary>
    public Task SignalAsync(string signal) => NetworkLab.RunAsync("kill", "-" + signal, _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

    /// <summary>SIGTERM, then waits for the exit; returns how long the program took to stop and its exit code.</summary>
    public async Task<(TimeSpan Took, int ExitCode)> TerminateAsync(TimeSpan timeout)
    {
        var watch = Stopwatch.StartNew();
        await SignalAsync("TERM");
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return (watch.Elapsed, _process.ExitCode);
    }

    /// <summary>Starts the same program again with the same arguments (after <see cref="KillAsync"/>).</summary>
    public void Restart()
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException($"{Name} is still running");
        }

        _process.Dispose();
        Append("---- restarted ----");
        _process = Launch();
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
        await _log.DisposeAsync();
    }

    private Process Launch()
    {
        var process = Process.Start(_start) ?? throw new InvalidOperationException($"could not start {Name}");
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        _lines.Enqueue(line);
        lock (_logLock)
        {
            _log.WriteLine(line);
        }
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Orleans.Zuul.sln")))
            {
                return dir.FullName;
            }
        }

        return Path.GetTempPath();
    }
}
