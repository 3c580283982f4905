using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Executor;

/// <summary>The executor hosted in-process on 127.0.0.1, port 0, without a cluster, over a fresh temporary job root.</summary>
internal sealed class ExecutorHost : IAsyncDisposable
{
    private ExecutorHost(WebApplication app, string jobRoot, LogCollector log)
    {
        App = app;
        JobRoot = jobRoot;
        Log = log;
    }

    /// <summary>Warnings and errors the executor logged.</summary>
    public LogCollector Log { get; }

    public WebApplication App { get; }

    public string JobRoot { get; }

    public int Port => App.GetLogStreamPort();

    public LogWatchRegistry Watches => App.Services.GetRequiredService<LogWatchRegistry>();

    /// <summary>Starts an executor; <paramref name="settings"/> are extra <c>Executor:*</c> (or other) keys.</summary>
    public static async Task<ExecutorHost> StartAsync(
        IReadOnlyDictionary<string, string>? settings = null,
        IBuildRegistrar? registrar = null,
        string? jobRoot = null)
    {
        jobRoot ??= NewJobRoot();
        var values = new Dictionary<string, string>
        {
            ["Executor:JobRoot"] = jobRoot,
            ["Executor:LogStreamPort"] = "0",
            ["Executor:ListenAddress"] = "127.0.0.1",
            ["Executor:RegisterBuilds"] = "false",
            ["Executor:JobRootScanInterval"] = "00:00:00.100",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string>())
        {
            values[key] = value;
        }

        var args = values.SelectMany(kv => new[] { $"--{kv.Key}", kv.Value }).ToArray();
        var log = new LogCollector();
        var app = ExecutorApp.Build(args, builder =>
        {
            builder.Logging.AddProvider(log);
            if (registrar is not null)
            {
                builder.Services.AddSingleton(registrar);
            }
        });
        await app.StartAsync();
        return new ExecutorHost(app, jobRoot, log);
    }

    public static string NewJobRoot()
    {
        var path = Path.Combine(Path.GetTempPath(), "orleans-zuul-tests", "exec-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Creates the job directory of a new build, with a log holding <paramref name="initial"/> unless null.</summary>
    public TestBuild NewBuild(string? initial = "") => new(JobRoot, initialLog: initial);

    public FingerTestClient Connect() => FingerTestClient.Connect(Port);

    public async ValueTask DisposeAsync()
    {
        try
        {
            await App.StopAsync();
        }
        finally
        {
            await App.DisposeAsync();
            try
            {
                Directory.Delete(JobRoot, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
