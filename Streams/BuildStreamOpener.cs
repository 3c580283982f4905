using System.Diagnostics;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Finger;
using Zuul.LiveLog.Finger.Tls;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting.Telemetry;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Streams;

/// <summary>
/// Resolves where a build's log is served from (asking with this process's zone) and opens the finger
/// stream there, trying the zone's other live gateways when the chosen one refuses.
/// Shared by the finger gateway and the web frontend so both answer the same way.
/// </summary>
/// <remarks>
/// Every request asks the build's grain. For a build streamed recently, the connection to the hop used last time is
/// opened while that question is in flight; it is used only if the answer lists that hop, otherwise closed unused.
/// A repeated request then costs the longer of the two, not their sum (a cross-zone grain call is ~0.5 ms here).
/// </remarks>
/// <param name="executorNetworks">On a finger gateway (silo): checked again before connecting to an executor; null elsewhere.</param>
public sealed partial class BuildStreamOpener(
    IGrainFactory grains, ClusterSettings cluster, FingerConnector connector, ZuulMetrics metrics, ILogger<BuildStreamOpener> logger, ExecutorNetworkPolicy? executorNetworks = null)
{
    private readonly RecentRoutes _recent = new();

    public async Task<OpenedStream> OpenAsync(string buildId, CancellationToken cancellationToken)
    {
        // The grain call first: it is the longer of the two (a cross-zone call is a silo-to-silo round trip).
        var resolving = ResolveAsync(buildId, cancellationToken);
        Task<Stream?>? early = _recent.TryGet(buildId, out var last) ? ConnectEarlyAsync(last, buildId, cancellationToken) : null;
        var usedEarly = false;
        try
        {
            OpenedStream opened;
            (opened, usedEarly) = await ResolveAndOpenAsync(buildId, resolving, last, early, cancellationToken).ConfigureAwait(false);
            return opened;
        }
        finally
        {
            // Whatever path was taken, an early connection that was not handed out is closed.
            if (early is not null && !usedEarly)
            {
                await DisposeUnusedAsync(early).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Asks the build's grain, timed (<c>zuul.stream.resolution.duration</c>) and traced (Orleans' spans nest under <c>resolve</c>).</summary>
    private async Task<StreamResolution> ResolveAsync(string buildId, CancellationToken cancellationToken)
    {
        using var activity = ZuulTracing.Source.StartActivity("resolve");
        activity?.SetTag(ZuulTracing.BuildIdAttribute, buildId);
        var start = Stopwatch.GetTimestamp();
        try
        {
            var resolution = await grains.GetGrain<IBuildGrain>(buildId).ResolveStreamAddressAsync(cluster.Zone).WaitAsync(cancellationToken).ConfigureAwait(false);
            metrics.Resolved(Stopwatch.GetElapsedTime(start), resolution.Kind);
            activity?.SetTag(ZuulMetrics.ResolutionAttribute, ZuulMetrics.Snake(resolution.Kind.ToString()));
            return resolution;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            metrics.Resolved(Stopwatch.GetElapsedTime(start), null);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    /// <summary>Connects to one hop, in a <c>connect</c> span.</summary>
    private async Task<Stream> ConnectAsync(Route route, string buildId, CancellationToken cancellationToken)
    {
        using var activity = ZuulTracing.Source.StartActivity("connect", ActivityKind.Client);
        activity?.SetTag("server.address", route.Host).SetTag("server.port", route.Port).SetTag("zuul.upstream.tls", route.Tls);
        try
        {
            return await connector.ConnectAsync(route.Host, route.Port, route.Tls, buildId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            throw;
        }
    }

    private async Task<(OpenedStream Opened, bool UsedEarly)> ResolveAndOpenAsync(
        string buildId, Task<StreamResolution> resolving, Route last, Task<Stream?>? early, CancellationToken cancellationToken)
    {
        StreamResolution resolution;
        try
        {
            resolution = await resolving.ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogErrorResolve(logger, buildId, ex);
            return Fail(StreamFailure.ResolutionFailed, FingerErrors.ResolutionFailed(buildId));
        }

        switch (resolution.Kind)
        {
            case StreamResolutionKind.BuildNotFound:
                _recent.Forget(buildId);
                return Fail(StreamFailure.BuildNotFound, FingerErrors.BuildNotFound(buildId));
            case StreamResolutionKind.BuildNotStarted:
                _recent.Forget(buildId);
                return Fail(StreamFailure.BuildNotStarted, FingerErrors.BuildNotStarted(buildId));
        }

        // Defence in depth against an open relay: the registration was checked, the connection is checked too.
        if (executorNetworks is not null && resolution.Kind is StreamResolutionKind.Executor or StreamResolutionKind.ExecutorFallback
            && await executorNetworks.CheckAsync(resolution.BuildZone, resolution.Host!, cancellationToken).ConfigureAwait(false) is { } refusal)
        {
            _recent.Forget(buildId);
            LogWarningExecutorRefused(logger, buildId, refusal);
            return Fail(StreamFailure.ExecutorNotAllowed, FingerErrors.ExecutorNotAllowed(buildId));
        }

        var candidates = new List<Route> { new(resolution.Host!, resolution.Port, resolution.Tls) };
        candidates.AddRange(resolution.Alternatives.Select(g => new Route(g.Hostname, g.Port, g.Tls)));
        if (early is not null && candidates.Contains(last) && await early.ConfigureAwait(false) is { } earlyStream)
        {
            // The answer still lists the hop used last time, and the connection to it is already open.
            LogDebugConnected(logger, buildId, last.Host, last.Port, resolution.Kind);
            return (new OpenedStream(earlyStream, StreamFailure.None, string.Empty, last.ToString(), resolution.Kind) { Zone = resolution.BuildZone }, true);
        }

        var tlsFailed = false;
        foreach (var route in candidates)
        {
            try
            {
                var stream = await ConnectAsync(route, buildId, cancellationToken).ConfigureAwait(false);
                LogDebugConnected(logger, buildId, route.Host, route.Port, resolution.Kind);
                _recent.Remember(buildId, route);
                return (new OpenedStream(stream, StreamFailure.None, string.Empty, route.ToString(), resolution.Kind) { Zone = resolution.BuildZone }, false);
            }
            catch (SocketException ex)
            {
                LogWarningConnectFailed(logger, buildId, route.Host, route.Port, resolution.Kind, ex.SocketErrorCode.ToString());
            }
            catch (FingerTlsException ex)
            {
                tlsFailed = true;
                LogWarningConnectFailed(logger, buildId, route.Host, route.Port, resolution.Kind, ex.Message);
            }
        }

        _recent.Forget(buildId);
        return resolution.Kind == StreamResolutionKind.ExecutorFallback
            ? Fail(StreamFailure.NoGatewayInZone, FingerErrors.NoGatewayInZone(buildId, resolution.BuildZone))
            : Fail(StreamFailure.UpstreamUnreachable, FingerErrors.UpstreamUnreachable(buildId, tlsFailed));

        static (OpenedStream, bool) Fail(StreamFailure failure, string message) => (new(null, failure, message, null, null), false);
    }

    /// <summary>
    /// The one rule for a stream that ended: it was refused by the hop it came from, not finished, when that hop sent
    /// nothing at all while the build still runs. With TLS 1.3 a hop that refuses our client certificate shows only
    /// this, a stream that ends at once; the gateway and the web frontend both report it with <see cref="RefusedMessage"/>.
    /// </summary>
    public async Task<bool> WasRefusedAsync(string buildId, long bytesFromUpstream) =>
        bytesFromUpstream == 0 && await IsRunningAsync(buildId).ConfigureAwait(false);

    /// <summary>The line a user gets for a stream that <see cref="WasRefusedAsync"/>.</summary>
    public static string RefusedMessage(string buildId, string target) => FingerErrors.Refused(buildId, target);

    /// <summary>Whether the build is still running (false when unknown or when the cluster cannot tell).</summary>
    public async Task<bool> IsRunningAsync(string buildId)
    {
        try
        {
            return await grains.GetGrain<IBuildGrain>(buildId).GetAsync().ConfigureAwait(false) is { State: BuildState.Running };
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Opens the stream at the hop used last time; null when that fails (the answer decides what happens next).</summary>
    private async Task<Stream?> ConnectEarlyAsync(Route route, string buildId, CancellationToken cancellationToken)
    {
        try
        {
            return await ConnectAsync(route, buildId, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or FingerTlsException or IOException or OperationCanceledException)
        {
            LogDebugEarlyConnectFailed(logger, buildId, route.Host, route.Port, ex.Message);
            return null;
        }
    }

    private static async Task DisposeUnusedAsync(Task<Stream?> early)
    {
        if (await early.ConfigureAwait(false) is { } stream)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
        }
    }

    [LoggerMessage(100, LogLevel.Error, "Resolving the stream address of build {BuildId} failed")]
    private static partial void LogErrorResolve(ILogger logger, string buildId, Exception exception);

    [LoggerMessage(101, LogLevel.Debug, "Build {BuildId}: streaming from {Host}:{Port} ({Kind})")]
    private static partial void LogDebugConnected(ILogger logger, string buildId, string host, int port, StreamResolutionKind kind);

    [LoggerMessage(102, LogLevel.Warning, "Build {BuildId}: connecting to {Host}:{Port} ({Kind}) failed: {Error}")]
    private static partial void LogWarningConnectFailed(ILogger logger, string buildId, string host, int port, StreamResolutionKind kind, string error);

    [LoggerMessage(104, LogLevel.Warning, "Build {BuildId}: not relayed: {Reason}")]
    private static partial void LogWarningExecutorRefused(ILogger logger, string buildId, string reason);

    [LoggerMessage(103, LogLevel.Debug, "Build {BuildId}: early connection to {Host}:{Port} (the hop used last time) failed: {Error}")]
    private static partial void LogDebugEarlyConnectFailed(ILogger logger, string buildId, string host, int port, string error);
}
