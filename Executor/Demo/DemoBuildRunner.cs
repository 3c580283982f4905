using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Demo mode (<c>Executor:Demo=true</c>): keeps <see cref="ExecutorOptions.DemoConcurrentBuilds"/> simulated builds
/// running in <see cref="ExecutorOptions.JobRoot"/>, each writing an ANSI-coloured Zuul-style log at a steady pace and
/// ending with the <c>.done</c> marker (its first line is the result). Builds reach the cluster through the job-root
/// watcher like real ones: a build directory is prepared under a non-hex staging name and renamed into place.
/// Only the newest <see cref="ExecutorOptions.DemoKeepFinishedBuilds"/> finished demo builds are kept.
/// </summary>
public sealed partial class DemoBuildRunner(
    IOptions<ExecutorOptions> options,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<DemoBuildRunner> logger) : BackgroundService
{
    private const double FailureRate = 0.2;
    private static readonly TimeSpan MinTick = TimeSpan.FromMilliseconds(20);

    private readonly ConcurrentQueue<string> _finished = new();
    private int _started;
    private readonly Lock _pruneLock = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        Directory.CreateDirectory(o.JobRoot!);
        if (string.Equals(Path.GetFullPath(o.JobRoot!), Path.GetFullPath(ExecutorOptions.DefaultDemoJobRoot()), StringComparison.Ordinal))
        {
            // Our own temporary job root: remove it once everything (the job-root watcher too) has stopped.
            lifetime.ApplicationStopped.Register(() => TryDelete(o.JobRoot!));
        }

        LogInformationDemoStarting(logger, o.DemoConcurrentBuilds, o.JobRoot!, o.DemoLinesPerSecond, o.DemoBuildSeconds);
        return Task.WhenAll(Enumerable.Range(0, o.DemoConcurrentBuilds).Select(_ => Task.Run(() => LoopAsync(stoppingToken), stoppingToken)));
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await RunBuildAsync(cancellationToken);
                Prune();
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogWarningDemoBuildFailed(logger, e);
                await Task.Delay(TimeSpan.FromSeconds(1), time, cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }
        }
    }

    private async Task RunBuildAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var random = new Random();
        var id = Guid.NewGuid().ToString("N");
        var jobName = DemoLogScript.PickJob(random);
        var fails = random.NextDouble() < FailureRate;
        var script = new DemoLogScript(jobName, DemoLogScript.PickNode(random), random, fails);

        var staging = Path.Combine(o.JobRoot!, ".staging-" + id);
        var job = JobDirectory.For(o.JobRoot!, id);
        Directory.CreateDirectory(Path.Combine(staging, "work", "logs"));
        await File.WriteAllTextAsync(Path.Combine(staging, JobRootWatcher.JobNameFile), jobName + "\n", cancellationToken);
        var tenant = NextTenant();
        Directory.CreateDirectory(Path.Combine(staging, "ansible"));
        await File.WriteAllTextAsync(JobInventory.PathIn(staging), Inventory(tenant, id, jobName), cancellationToken);
        await File.WriteAllTextAsync(Path.Combine(staging, "work", "logs", JobDirectory.LogFileName), string.Concat(script.Header(time.GetUtcNow())), cancellationToken);
        Directory.Move(staging, job.Path);
        LogInformationDemoBuildStarted(logger, id, jobName, tenant);

        var result = fails ? "FAILURE" : "SUCCESS";
        var log = new FileStream(job.LogFile, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        await using (log.ConfigureAwait(false))
        {
            try
            {
                var total = Math.Max(1L, (long)Math.Round(o.DemoBuildSeconds * o.DemoLinesPerSecond));
                var period = TimeSpan.FromSeconds(1 / o.DemoLinesPerSecond);
                using var timer = new PeriodicTimer(period < MinTick ? MinTick : period, time);
                var start = time.GetTimestamp();
                long written = 0;
                while (written < total && await timer.WaitForNextTickAsync(cancellationToken))
                {
                    var due = Math.Min(total, (long)(time.GetElapsedTime(start).TotalSeconds * o.DemoLinesPerSecond) + 1);
                    for (; written < due; written++)
                    {
                        await WriteAsync(log, script.Next(time.GetUtcNow()), CancellationToken.None);
                    }
                }

                foreach (var line in script.Footer(time.GetUtcNow()))
                {
                    await WriteAsync(log, line, CancellationToken.None);
                }
            }
            catch (OperationCanceledException)
            {
                result = "ABORTED";
                await WriteAsync(log, DemoLogScript.Line(time.GetUtcNow(), $"{DemoLogScript.Red}Build aborted: executor stopping{DemoLogScript.Reset}"), CancellationToken.None);
                throw;
            }
            finally
            {
                await log.FlushAsync(CancellationToken.None);
                // Written aside and renamed into place, so nobody sees the marker without its result.
                var marker = job.DoneMarker + ".tmp";
                await File.WriteAllTextAsync(marker, result + "\n", CancellationToken.None);
                File.Move(marker, job.DoneMarker, overwrite: true);
                _finished.Enqueue(job.Path);
                LogInformationDemoBuildFinished(logger, id, result);
            }
        }
    }

    /// <summary>The demo's tenants in turn, so both always have builds.</summary>
    private string NextTenant()
    {
        var tenants = options.Value.DemoTenants is { Count: > 0 } configured ? configured : ExecutorOptions.DefaultDemoTenants;
        return tenants[(int)((uint)Interlocked.Increment(ref _started) % (uint)tenants.Count)];
    }

    /// <summary>The part of Zuul's job inventory the executor reads (<see cref="JobInventory"/>).</summary>
    private static string Inventory(string tenant, string id, string jobName) =>
        $"all:\n  hosts:\n    ubuntu-noble:\n      ansible_connection: local\n  vars:\n    zuul:\n      tenant: {tenant}\n      build: {id}\n      job: {jobName}\n";

    private static ValueTask WriteAsync(FileStream log, string line, CancellationToken cancellationToken) =>
        log.WriteAsync(Encoding.UTF8.GetBytes(line), cancellationToken);

    private void Prune()
    {
        var keep = options.Value.DemoKeepFinishedBuilds;
        lock (_pruneLock)
        {
            while (_finished.Count > keep && _finished.TryDequeue(out var path))
            {
                TryDelete(path);
            }
        }
    }

    private void TryDelete(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            LogWarningPruneFailed(logger, e, path);
        }
    }

    [LoggerMessage(EventId = 1501, Level = LogLevel.Information, Message = "Demo mode: {Count} concurrent simulated builds in {JobRoot}, {LinesPerSecond} lines/s, {BuildSeconds} s each")]
    private static partial void LogInformationDemoStarting(ILogger logger, int count, string jobRoot, double linesPerSecond, double buildSeconds);

    [LoggerMessage(EventId = 1502, Level = LogLevel.Information, Message = "Demo build {BuildId} ({JobName}) of tenant {Tenant} started")]
    private static partial void LogInformationDemoBuildStarted(ILogger logger, string buildId, string jobName, string tenant);

    [LoggerMessage(EventId = 1503, Level = LogLevel.Information, Message = "Demo build {BuildId} finished: {Result}")]
    private static partial void LogInformationDemoBuildFinished(ILogger logger, string buildId, string result);

    [LoggerMessage(EventId = 1504, Level = LogLevel.Warning, Message = "Demo build failed to write; trying again")]
    private static partial void LogWarningDemoBuildFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 1505, Level = LogLevel.Warning, Message = "Cannot remove old demo build {Path}")]
    private static partial void LogWarningPruneFailed(ILogger logger, Exception exception, string path);
}
