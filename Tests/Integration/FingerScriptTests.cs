using System.Diagnostics;
using System.Globalization;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Integration;

/// <summary>
/// <c>scripts/finger</c>, the README's first command (bash and /dev/tcp only): a build by uuid through the gateway,
/// and <c>--running</c>, which finds the running build through the web frontend's API.
/// </summary>
public sealed class FingerScriptTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _jobRoot = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "finger-script-" + Guid.NewGuid().ToString("N"));
    private readonly ClusterHarness _cluster = new();

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_jobRoot);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _cluster.DisposeAsync();
        Directory.Delete(_jobRoot, recursive: true);
    }

    [Fact]
    public async Task StreamsABuildByIdAndTheRunningBuildFoundThroughTheApi()
    {
        var silo = await _cluster.StartSiloAsync();
        var web = await _cluster.StartWebFrontendAsync();
        await _cluster.StartExecutorAsync(_jobRoot);
        var build = await _cluster.StartBuildAsync(_jobRoot);
        await build.AppendAsync("first line\n");
        var port = silo.FingerPort.ToString(CultureInfo.InvariantCulture);
        // As a user would: the build is in the web frontend's list first.
        using var http = new HttpClient { BaseAddress = web };
        await Eventually.UntilAsync(async () => (await http.GetStringAsync("api/tenant/default/builds?state=running")).Contains(build.Id, StringComparison.Ordinal), "the build to be listed as running",
            Timeout);

        var running = RunAsync(["--running", web.ToString().TrimEnd('/')], ("FINGER_PORT", port));
        var byId = RunAsync([$"{build.Id}@127.0.0.1:{port}"]);
        // Both follow the running build once the gateway streams it to both (the --running one asks the API first).
        await Eventually.UntilAsync(() => _cluster.Logs.Lines.Count(l => l.Contains($"Build {build.Id} for ", StringComparison.Ordinal) && l.Contains("streaming via", StringComparison.Ordinal)) >= 2,
            "the gateway to stream the build to both scripts", Timeout);
        // What is appended now reaches them, and the finish ends them.
        await build.AppendAsync("second line\n");
        await build.FinishAsync();
        Assert.Equal((0, "first line\nsecond line\n"), await byId);
        Assert.Equal((0, "first line\nsecond line\n"), await running);

        // An unknown build gets the gateway's error line.
        var unknown = Guid.NewGuid().ToString("N");
        var (code, text) = await RunAsync([$"{unknown}@127.0.0.1:{port}"]);
        Assert.Equal((0, $"Build ID {unknown} not found\n"), (code, text));
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Path.Combine(Infrastructure.RepositoryRoot.Path, "scripts", "finger"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        using var cts = new CancellationTokenSource(Timeout);
        var output = process.StandardOutput.ReadToEndAsync(cts.Token);
        var error = process.StandardError.ReadToEndAsync(cts.Token);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"scripts/finger {string.Join(' ', args)} did not end: {await error}");
        }

        var text = await output;
        return (process.ExitCode, process.ExitCode == 0 ? text : text + await error);
    }
}
