using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Connection middleware in front of the log streamer: records every connection in the
/// <see cref="ConnectionLedger"/> and closes those from outside <c>Executor:AllowedClients</c> at once.
/// </summary>
public sealed partial class ClientAccessMiddleware(ClientNetworks allowed, ConnectionLedger ledger, ZuulMetrics metrics, ILogger logger)
{
    public async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        if (connection.RemoteEndPoint is not IPEndPoint remote)
        {
            await next(connection);
            return;
        }

        var address = remote.Address.IsIPv4MappedToIPv6 ? remote.Address.MapToIPv4() : remote.Address;
        var ok = allowed.Allows(address);
        ledger.Record(address, ok);
        if (!ok)
        {
            LogWarningRefused(logger, address, allowed);
            metrics.Rejected(StreamRejection.ClientNotAllowed);
            connection.Abort(new ConnectionAbortedException("client not in Executor:AllowedClients"));
            return;
        }

        await next(connection);
    }

    [LoggerMessage(700, LogLevel.Warning, "Refused a log stream connection from {Address}: not in Executor:AllowedClients ({Allowed})")]
    private static partial void LogWarningRefused(ILogger logger, IPAddress address, ClientNetworks allowed);
}
