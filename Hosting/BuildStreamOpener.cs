using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Orleans.Zuul.Finger;
using Orleans.Zuul.Finger.Tls;
using Orleans.Zuul.Grains;

namespace Orleans.Zuul.Hosting;

/// <summary>
/// Resolves where a build's log is served from (asking with this process's zone) and opens the finger
/// stream there, trying the zone's other live gateways when the chosen one refuses.
/// Shared by the finger gateway and the web frontend so both answer the same way.
/// </summary>
public sealed partial class BuildStreamOpener(IGrainFactory grains, ClusterSettings cluster, FingerConnector connector, ILogger<BuildStreamOpener> logger)
{

    public async Task<OpenedStream> OpenAsync(string buildId, CancellationToken cancellationToken)
    {
        StreamResolution resolution;
        try
        {
            resolution = await grains.GetGrain<IBuildGrain>(buildId).ResolveStreamAddressAsync(cluster.Zone).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogErrorResolve(logger, buildId, ex);
            return Fail(StreamFailure.ResolutionFailed, $"Internal error while resolving build ID {buildId}\n");
        }

        switch (resolution.Kind)
        {
            case StreamResolutionKind.BuildNotFound:
                return Fail(StreamFailure.BuildNotFound, FingerErrors.BuildNotFound(buildId));
            case StreamResolutionKind.BuildNotStarted:
                return Fail(StreamFailure.BuildNotStarted, $"Build ID {buildId} did not start yet\n");
        }

        var candidates = new List<(string Host, int Port, bool Tls)> { (resolution.Host!, resolution.Port, resolution.Tls) };
        candidates.AddRange(resolution.Alternatives.Select(g => (g.Hostname, g.Port, g.Tls)));
        var tlsFailed = false;
        foreach (var (host, port, tls) in candidates)
        {
            try
            {
                var stream = await connector.ConnectAsync(host, port, tls, buildId, cancellationToken).ConfigureAwait(false);
                LogDebugConnected(logger, buildId, host, port, resolution.Kind);
                return new OpenedStream(stream, StreamFailure.None, string.Empty, $"{host}:{port}", resolution.Kind);
            }
            catch (SocketException ex)
            {
                LogWarningConnectFailed(logger, buildId, host, port, resolution.Kind, ex.SocketErrorCode.ToString());
            }
            catch (FingerTlsException ex)
            {
                tlsFailed = true;
                LogWarningConnectFailed(logger, buildId, host, port, resolution.Kind, ex.Message);
            }
        }

        return resolution.Kind == StreamResolutionKind.ExecutorFallback
            ? Fail(StreamFailure.NoGatewayInZone, $"Build ID {buildId} runs in zone {resolution.BuildZone}, which has no reachable finger gateway\n")
            : Fail(StreamFailure.UpstreamUnreachable, tlsFailed
                ? $"Unable to connect to the log streamer for build ID {buildId} (TLS handshake failed)\n"
                : $"Unable to connect to the log streamer for build ID {buildId}\n");

        static OpenedStream Fail(StreamFailure failure, string message) => new(null, failure, message, null, null);
    }

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

    [LoggerMessage(100, LogLevel.Error, "Resolving the stream address of build {BuildId} failed")]
    private static partial void LogErrorResolve(ILogger logger, string buildId, Exception exception);

    [LoggerMessage(101, LogLevel.Debug, "Build {BuildId}: streaming from {Host}:{Port} ({Kind})")]
    private static partial void LogDebugConnected(ILogger logger, string buildId, string host, int port, StreamResolutionKind kind);

    [LoggerMessage(102, LogLevel.Warning, "Build {BuildId}: connecting to {Host}:{Port} ({Kind}) failed: {Error}")]
    private static partial void LogWarningConnectFailed(ILogger logger, string buildId, string host, int port, StreamResolutionKind kind, string error);
}
