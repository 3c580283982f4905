using System.Threading.Channels;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.WebFrontend;

/// <summary>
/// With ZooKeeper: the build list and its live events, read from the build records every zone's cluster writes
/// (<c>/grains/build/&lt;uuid&gt;</c>), so the console covers every zone although the frontend is a client of its own
/// zone's cluster only. Kept by watches, no polling: a child watch on the folder (builds appear and are swept) and a
/// data watch on each record (a build finishes). One loop applies the changes in order; after a new session (the
/// old one's watches are gone) everything is read again and the differences become events.
/// </summary>
public sealed partial class ZooKeeperBuildCatalog : BackgroundService, IBuildList
{
    /// <summary>How long the API waits for the first read before answering 503.</summary>
    internal static readonly TimeSpan FirstLoadTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Records read at once while loading.</summary>
    private const int ReadConcurrency = 64;

    private const string Folder = ZooKeeperPaths.Grains + "/" + BuildRecords.GrainType;

    private readonly ZooKeeperConnection _connection;
    private readonly FingerGatewayWatcher _gateways;
    private readonly BuildEventHub _hub;
    private readonly ILogger<ZooKeeperBuildCatalog> _logger;
    private readonly Channel<Work> _work = Channel.CreateUnbounded<Work>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TaskCompletionSource _firstLoad = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Func<WatchedEvent, Task> _childWatcher;
    private readonly Func<WatchedEvent, Task> _dataWatcher;

    /// <summary>Every record read, by uuid. Only the loop writes it; readers take <see cref="_snapshot"/>.</summary>
    private readonly Dictionary<string, BuildInfo> _records = new(StringComparer.Ordinal);
    private volatile IReadOnlyList<BuildInfo> _snapshot = [];

    public ZooKeeperBuildCatalog(ZooKeeperConnection connection, FingerGatewayWatcher gateways, BuildEventHub hub, ILogger<ZooKeeperBuildCatalog> logger)
    {
        _connection = connection;
        _gateways = gateways;
        _hub = hub;
        _logger = logger;
        _childWatcher = e => Enqueue(e.Type == WatchedEventType.None ? Work.Reload : Work.Children);
        _dataWatcher = e => Enqueue(e.Type == WatchedEventType.None ? Work.Reload : e.Path is { } path ? new Work(WorkKind.Record, UuidOf(path)) : Work.Reload);
    }

    /// <summary>Completes after the first full read.</summary>
    public Task Loaded => _firstLoad.Task;

    public async Task<IReadOnlyList<BuildInfo>> ListAsync(CancellationToken cancellationToken)
    {
        await _firstLoad.Task.WaitAsync(FirstLoadTimeout, cancellationToken);
        return _snapshot;
    }

    public async Task<IReadOnlyList<string>> ZonesAsync(CancellationToken cancellationToken)
    {
        var gateways = await _gateways.GetAsync(cancellationToken).WaitAsync(FirstLoadTimeout, cancellationToken);
        return [.. gateways.Select(g => g.Zone).OfType<string>().Distinct(StringComparer.Ordinal)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _gateways.EnsureStarted();
        using var session = _connection.Sessions.OnSessionStarted(_ => Enqueue(Work.Reload));
        await Enqueue(Work.Reload);
        var failures = 0;
        try
        {
            while (await _work.Reader.WaitToReadAsync(stoppingToken))
            {
                var batch = Drain();
                try
                {
                    await ApplyAsync(batch, stoppingToken);
                    failures = 0;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
                {
                    failures++;
                    LogWarningReadFailed(_logger, failures, ex.Message);
                    await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * failures)), stoppingToken);
                    // Whatever failed may have lost its watch: read everything again.
                    await Enqueue(Work.Reload);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Takes every queued item; a reload covers all the others, a children read covers nothing else.</summary>
    private List<Work> Drain()
    {
        var batch = new List<Work>();
        while (_work.Reader.TryRead(out var item))
        {
            if (!batch.Contains(item))
            {
                batch.Add(item);
            }
        }

        return batch.Contains(Work.Reload) ? [Work.Reload] : batch;
    }

    private async Task ApplyAsync(List<Work> batch, CancellationToken cancellationToken)
    {
        var client = await _connection.GetClientAsync(cancellationToken);
        var reload = batch.Contains(Work.Reload);
        var toRead = batch.Where(w => w.Kind == WorkKind.Record).Select(w => w.Uuid!).ToHashSet(StringComparer.Ordinal);
        if (reload || batch.Contains(Work.Children))
        {
            await client.EnsurePathAsync(Folder, cancellationToken: cancellationToken);
            var children = (await client.GetChildrenAsync(Folder, _childWatcher, cancellationToken)).Children.ToHashSet(StringComparer.Ordinal);
            foreach (var gone in _records.Keys.Where(u => !children.Contains(u)).ToList())
            {
                // Swept after its retention: it leaves the list without an event, as it would age out of it.
                _records.Remove(gone);
            }

            toRead.UnionWith(reload ? children : children.Where(c => !_records.ContainsKey(c)));
        }

        var events = new List<BuildEvent>();
        foreach (var chunk in toRead.Chunk(ReadConcurrency))
        {
            var read = await Task.WhenAll(chunk.Select(uuid => ReadAsync(client, uuid, cancellationToken)));
            foreach (var (uuid, info) in chunk.Zip(read))
            {
                Apply(uuid, info, events);
            }
        }

        _snapshot = BuildList.Arrange(_records.Values);
        var first = _firstLoad.TrySetResult();
        if (first)
        {
            LogInformationLoaded(_logger, _records.Count);
            return;
        }

        foreach (var e in events)
        {
            _hub.Publish(e);
        }
    }

    private void Apply(string uuid, BuildInfo? info, List<BuildEvent> events)
    {
        _records.TryGetValue(uuid, out var before);
        if (info is null)
        {
            _records.Remove(uuid);
            return;
        }

        _records[uuid] = info;
        if (info == before || (info.State == before?.State && info.State != BuildState.Running))
        {
            // Unchanged, or a finished (lost) build that changed in a detail: no event.
            return;
        }

        if (BuildEvent.For(info) is { } change)
        {
            events.Add(change);
        }
    }

    /// <summary>Reads one record and watches it; null when it is gone or not a build record.</summary>
    private async Task<BuildInfo?> ReadAsync(ZooKeeperClient client, string uuid, CancellationToken cancellationToken)
    {
        GetDataResult data;
        try
        {
            data = await client.GetDataAsync($"{Folder}/{uuid}", _dataWatcher, cancellationToken);
        }
        catch (NoNodeException)
        {
            return null;
        }

        BuildRecord? record;
        try
        {
            record = ZooKeeperGrainStorage.Deserialize<BuildRecord>(data.Data);
        }
        catch (System.Text.Json.JsonException ex)
        {
            LogWarningInvalidRecord(_logger, uuid, ex.Message);
            return null;
        }

        return record is null ? null : BuildRecords.ToInfo(uuid, record);
    }

    private Task Enqueue(Work work)
    {
        _work.Writer.TryWrite(work);
        return Task.CompletedTask;
    }

    private static string UuidOf(string path) => Uri.UnescapeDataString(path[(path.LastIndexOf('/') + 1)..]);

    private enum WorkKind
    {
        Reload,
        Children,
        Record,
    }

    private readonly record struct Work(WorkKind Kind, string? Uuid)
    {
        public static readonly Work Reload = new(WorkKind.Reload, null);
        public static readonly Work Children = new(WorkKind.Children, null);
    }

    [LoggerMessage(520, LogLevel.Information, "Build list loaded from ZooKeeper: {Count} build records")]
    private static partial void LogInformationLoaded(ILogger logger, int count);

    [LoggerMessage(521, LogLevel.Warning, "Reading build records from ZooKeeper failed (attempt {Attempt}): {Error}; reading everything again")]
    private static partial void LogWarningReadFailed(ILogger logger, int attempt, string error);

    [LoggerMessage(522, LogLevel.Warning, "Ignoring build record {Uuid}: {Error}")]
    private static partial void LogWarningInvalidRecord(ILogger logger, string uuid, string error);
}
