using System.Text.Json;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// With ZooKeeper: marks lost the running builds of this zone whose executor's liveness lease (an ephemeral node under
/// <c>/components/executor</c>) has been missing for <see cref="ExecutorLivenessOptions.ExecutorGrace"/>. Woken by a
/// child watch on the leases, a new session, the grace running out, and a periodic full check. Every silo of the zone
/// checks; marking a build lost is idempotent in its grain, which also checks that the build still runs on that executor.
/// </summary>
public sealed partial class ExecutorLivenessMonitor(
    ZooKeeperConnection connection,
    IGrainFactory grains,
    ClusterSettings cluster,
    TimeProvider time,
    IOptions<ExecutorLivenessOptions> options,
    ILogger<ExecutorLivenessMonitor> logger) : BackgroundService
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    private readonly Dictionary<string, RegisteredExecutor?> _leases = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Host, int Port), DateTimeOffset> _missingSince = [];
    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private Func<WatchedEvent, Task>? _childWatcher;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var session = connection.Sessions.OnSessionStarted(_ => Wake());
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            var woken = Volatile.Read(ref _wake).Task;
            var next = options.Value.LivenessCheckInterval;
            try
            {
                next = await CheckAsync(stoppingToken);
                failures = 0;
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                failures++;
                LogWarningCheckFailed(logger, failures, ex.GetType().Name, ex.Message);
                next = TimeSpan.FromMilliseconds(Math.Min(5000, 250 * failures));
            }

            try
            {
                await woken.WaitAsync(next, time, stoppingToken);
            }
            catch (TimeoutException)
            {
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
        }
    }

    /// <summary>One check; returns when the next one is due without a wake-up.</summary>
    internal async Task<TimeSpan> CheckAsync(CancellationToken cancellationToken)
    {
        var client = await connection.GetClientAsync(cancellationToken);
        var live = await ReadLeasesAsync(client, cancellationToken);
        var now = time.GetUtcNow();
        var grace = options.Value.ExecutorGrace;
        var waiting = new HashSet<(string Host, int Port)>();
        var next = options.Value.LivenessCheckInterval;
        foreach (var (uuid, record) in await ReadRunningAsync(client, cancellationToken))
        {
            var executor = (record.ExecutorHostname, record.LogPort);
            if (live.Contains(executor))
            {
                continue;
            }

            waiting.Add(executor);
            if (!_missingSince.TryGetValue(executor, out var since))
            {
                _missingSince[executor] = since = now;
                LogInformationMissing(logger, executor.ExecutorHostname, executor.LogPort, grace);
            }

            var left = since + grace - now;
            if (left > TimeSpan.Zero)
            {
                next = left < next ? left : next;
                continue;
            }

            await grains.GetGrain<IBuildGrain>(uuid).MarkLostAsync(executor.ExecutorHostname, executor.LogPort);
        }

        foreach (var gone in _missingSince.Keys.Where(k => !waiting.Contains(k)).ToList())
        {
            _missingSince.Remove(gone);
        }

        return next;
    }

    /// <summary>The executors holding a lease now; watches the folder (a lease coming or going wakes the loop).</summary>
    private async Task<HashSet<(string Host, int Port)>> ReadLeasesAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        await client.EnsurePathAsync(ZooKeeperPaths.Executors, cancellationToken: cancellationToken);
        var children = (await client.GetChildrenAsync(ZooKeeperPaths.Executors, _childWatcher ??= _ => Wake(), cancellationToken)).Children;
        foreach (var gone in _leases.Keys.Except(children).ToList())
        {
            _leases.Remove(gone);
        }

        foreach (var child in children.Where(c => !_leases.ContainsKey(c)))
        {
            try
            {
                // A lease's data never changes: read once per node.
                var data = await client.GetDataAsync($"{ZooKeeperPaths.Executors}/{child}", cancellationToken: cancellationToken);
                _leases[child] = RegisteredExecutor.TryParse(data.Data);
            }
            catch (NoNodeException)
            {
            }
        }

        return _leases.Values.OfType<RegisteredExecutor>().Select(e => (e.Hostname, e.Port)).ToHashSet();
    }

    /// <summary>The running builds of this silo's zone whose executor holds leases.</summary>
    private async Task<List<(string Uuid, BuildRecord Record)>> ReadRunningAsync(ZooKeeperClient client, CancellationToken cancellationToken)
    {
        var folder = ZooKeeperPaths.GrainType(BuildRecords.GrainType);
        IReadOnlyList<string> children;
        try
        {
            children = (await client.GetChildrenAsync(folder, cancellationToken: cancellationToken)).Children;
        }
        catch (NoNodeException)
        {
            return [];
        }

        var running = new List<(string, BuildRecord)>();
        foreach (var chunk in children.Chunk(64))
        {
            var read = await Task.WhenAll(chunk.Select(async child =>
            {
                try
                {
                    var data = await client.GetDataAsync($"{folder}/{child}", cancellationToken: cancellationToken);
                    return (Uuid: Uri.UnescapeDataString(child), Record: JsonSerializer.Deserialize<BuildRecord>(data.Data, Json));
                }
                catch (Exception ex) when (ex is NoNodeException or JsonException)
                {
                    return (Uuid: child, Record: null);
                }
            }));
            running.AddRange(read
                .Where(r => r.Record is { State: BuildState.Running, Leased: true } rec && rec.Zone == cluster.Zone)
                .Select(r => (r.Uuid, r.Record!)));
        }

        return running;
    }

    private Task Wake()
    {
        Interlocked.Exchange(ref _wake, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
        return Task.CompletedTask;
    }

    [LoggerMessage(330, LogLevel.Information, "Executor {Hostname}:{Port} holds no liveness lease; its running builds become lost unless it is back within {Grace}")]
    private static partial void LogInformationMissing(ILogger logger, string hostname, int port, TimeSpan grace);

    [LoggerMessage(331, LogLevel.Warning, "Checking executor liveness failed (attempt {Attempt}): {ErrorType}: {Error}")]
    private static partial void LogWarningCheckFailed(ILogger logger, int attempt, string errorType, string error);
}
