using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace Zuul.LiveLog.Grains;

/// <summary>One build: where it runs and where its log is streamed from.</summary>
[Orleans.Placement.PreferLocalPlacement]
[GrainType(BuildRecords.GrainType)]
internal sealed partial class BuildGrain(
    [PersistentState("build", StorageNames.Builds)] IPersistentState<BuildRecord> record,
    IServiceProvider services,
    TimeProvider time,
    ILogger<BuildGrain> logger) : Grain, IBuildGrain
{
    /// <summary>After a failed re-read, the next try waits this long; meanwhile calls answer from memory.</summary>
    internal static readonly TimeSpan RereadBackoff = TimeSpan.FromSeconds(1);

    private readonly IBuildRecordWatch? _watch = services.GetService<IBuildRecordWatch>();
    private readonly ExecutorNetworkPolicy _executorNetworks = services.GetService<ExecutorNetworkPolicy>() ?? ExecutorNetworkPolicy.AllowAny;
    private BuildRecordWatchToken? _token;
    private DateTimeOffset _nextReread;

    private string Uuid => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_watch is not null)
        {
            _token = await _watch.WatchAsync(Uuid, record.Etag);
        }
    }

    public async Task StartAsync(BuildStart start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (await _executorNetworks.CheckAsync(start.Zone, start.ExecutorHostname) is { } refusal)
        {
            LogWarningRefused(logger, Uuid, refusal);
            throw new BuildRegistrationRefusedException($"Build {Uuid} refused: {refusal}");
        }

        await RefreshAsync();
        var r = record.State;
        if (r.State == BuildState.Running && r.ExecutorHostname == start.ExecutorHostname && r.LogPort == start.LogPort && r.Zone == start.Zone
            && r.Tenant == start.Tenant)
        {
            return;
        }

        r.State = BuildState.Running;
        r.Zone = start.Zone;
        r.ExecutorHostname = start.ExecutorHostname;
        r.LogPort = start.LogPort;
        r.JobName = start.JobName;
        r.StartedAt = start.StartedAt;
        r.FinishedAt = null;
        r.Result = null;
        r.Tenant = start.Tenant;
        await WriteAsync();
        LogInformationStarted(logger, Uuid, start.ExecutorHostname, start.LogPort, start.Zone ?? "(none)");
        if (start.Zone is { } zone)
        {
            await GrainFactory.GetGrain<IZoneDirectoryGrain>(0).AddAsync(zone);
        }

        await PublishAsync(BuildEventKind.Started);
    }

    public async Task FinishAsync(BuildFinish finish)
    {
        ArgumentNullException.ThrowIfNull(finish);
        await RefreshAsync();
        var r = record.State;
        if (r.State is BuildState.Finished or BuildState.Unknown)
        {
            // Finishing an unknown build would create a record with no executor; finishing twice changes nothing.
            return;
        }

        r.State = BuildState.Finished;
        r.FinishedAt = finish.FinishedAt;
        r.Result = finish.Result;
        await WriteAsync();
        LogInformationFinished(logger, Uuid, finish.Result ?? "(none)");
        await PublishAsync(BuildEventKind.Finished);
    }

    public async Task<BuildInfo?> GetAsync()
    {
        await RefreshAsync();
        return ToInfo();
    }

    public async Task<StreamResolution> ResolveStreamAddressAsync(string? sourceZone)
    {
        await RefreshAsync();
        var build = ToInfo();
        IReadOnlyList<GatewayEndpoint> gateways = [];
        if (build is { Zone: { } zone } && !string.Equals(zone, sourceZone, StringComparison.Ordinal))
        {
            gateways = await GrainFactory.GetGrain<IZoneGatewayGrain>(zone).PickAsync();
        }

        var resolution = StreamResolver.Resolve(build, sourceZone, gateways);
        if (resolution.Kind == StreamResolutionKind.ExecutorFallback)
        {
            LogWarningNoGateway(logger, Uuid, resolution.BuildZone ?? string.Empty, sourceZone ?? "(none)");
        }

        return resolution;
    }

    /// <summary>
    /// Re-reads the record when another zone (or the retention sweeper) may have changed it. While the store is
    /// unreachable the last known record answers: a zone cut off from ZooKeeper keeps streaming its builds.
    /// </summary>
    private async ValueTask RefreshAsync()
    {
        if (_watch is null || _token is not { IsStale: true } || !_watch.CanRead || time.GetUtcNow() < _nextReread)
        {
            return;
        }

        try
        {
            await record.ReadStateAsync();
        }
        catch (Exception ex)
        {
            _nextReread = time.GetUtcNow() + RereadBackoff;
            LogWarningRereadFailed(logger, Uuid, ex.Message);
            return;
        }

        _token = await _watch.WatchAsync(Uuid, record.Etag);
    }

    /// <summary>Writes the record and watches it from the version written, so our own write does not count as a change.</summary>
    private async Task WriteAsync()
    {
        await record.WriteStateAsync();
        if (_watch is not null)
        {
            _token = await _watch.WatchAsync(Uuid, record.Etag);
        }
    }

    private BuildInfo? ToInfo() => BuildRecords.ToInfo(Uuid, record.State);

    /// <summary>Updates the build list first, then tells the event stream, so a listener that reloads sees the change.</summary>
    private async Task PublishAsync(BuildEventKind kind)
    {
        if (ToInfo() is not { } info)
        {
            return;
        }

        await GrainFactory.GetGrain<IBuildDirectoryGrain>(0).UpdateAsync(info);
        try
        {
            var stream = this.GetStreamProvider(BuildEvents.StreamProvider)
                .GetStream<BuildEvent>(StreamId.Create(BuildEvents.Namespace, BuildEvents.Key));
            await stream.OnNextAsync(new BuildEvent(kind, info));
        }
        catch (Exception ex)
        {
            // The event is a notification; the build's record is already written and listed.
            LogWarningEventNotPublished(logger, Uuid, kind, ex);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "Build {Uuid} started on {Hostname}:{Port} (zone {Zone})")]
    private static partial void LogInformationStarted(ILogger logger, string uuid, string hostname, int port, string zone);

    [LoggerMessage(2, LogLevel.Information, "Build {Uuid} finished (result {Result})")]
    private static partial void LogInformationFinished(ILogger logger, string uuid, string result);

    [LoggerMessage(3, LogLevel.Warning, "Build {Uuid} runs in zone {Zone} but no finger gateway is registered there; asker in zone {SourceZone} falls back to the executor's own address")]
    private static partial void LogWarningNoGateway(ILogger logger, string uuid, string zone, string sourceZone);

    [LoggerMessage(5, LogLevel.Warning, "Build {Uuid}: re-reading its record after a change failed ({Error}); answering from the last known record")]
    private static partial void LogWarningRereadFailed(ILogger logger, string uuid, string error);

    [LoggerMessage(6, LogLevel.Warning, "Build {Uuid} refused: {Reason}")]
    private static partial void LogWarningRefused(ILogger logger, string uuid, string reason);

    [LoggerMessage(4, LogLevel.Warning, "Build {Uuid}: the {Kind} event could not be published on the build event stream")]
    private static partial void LogWarningEventNotPublished(ILogger logger, string uuid, BuildEventKind kind, Exception exception);
}
