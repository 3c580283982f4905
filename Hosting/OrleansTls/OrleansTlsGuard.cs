using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Orleans.Connections.Security;

namespace Zuul.LiveLog.Hosting.OrleansTls;

/// <summary>
/// Wraps Orleans' TLS middleware so every refused or failed connection costs exactly one log line naming the
/// peer and the reason, on both sides: Orleans' own middleware logs failures at debug level, or with a stack trace,
/// and cannot tell "plaintext peer" from "no certificate" from "certificate from another CA".
/// </summary>
internal sealed partial class OrleansTlsGuard(ILogger<OrleansTlsGuard> logger, TimeSpan handshakeTimeout)
{
    private const byte TlsHandshakeRecord = 0x16;

    /// <summary>Outermost on an inbound (silo or gateway) connection.</summary>
    public async Task OnInboundAsync(ConnectionContext context, ConnectionDelegate next, string port)
    {
        var attempt = new TlsAttempt(context.RemoteEndPoint?.ToString() ?? "?");
        TlsAttempt.Current = attempt;
        if (!await StartsWithTlsAsync(context, attempt).ConfigureAwait(false))
        {
            LogWarningRefusedInbound(logger, port, attempt.Peer, attempt.Refusal!);
            context.Abort();
            return;
        }

        await next(context).ConfigureAwait(false);
        if (!attempt.Established)
        {
            LogWarningRefusedInbound(logger, port, attempt.Peer, attempt.Refusal ?? "the TLS handshake failed (a certificate we could not use, or the peer refused ours)");
        }
    }

    /// <summary>Right after the server side of TLS: a peer without a certificate goes no further.</summary>
    public Task AfterServerTlsAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var attempt = TlsAttempt.Current;
        if (context.Features.Get<ITlsConnectionFeature>()?.RemoteCertificate is null)
        {
            if (attempt is not null)
            {
                attempt.Refusal = "it presented no client certificate";
            }

            context.Abort();
            return Task.CompletedTask;
        }

        if (attempt is not null)
        {
            attempt.Established = true;
        }

        return next(context);
    }

    /// <summary>Outermost on an outbound connection (to another silo, or a client's to a gateway).</summary>
    public async Task OnOutboundAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var attempt = new TlsAttempt(context.RemoteEndPoint?.ToString() ?? "?");
        TlsAttempt.Current = attempt;
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (!attempt.Established)
            {
                LogWarningOutboundFailed(logger, attempt.Peer, attempt.Refusal ?? "the TLS handshake failed (is its Orleans port plaintext?)");
            }
            else if (!attempt.Answered)
            {
                LogWarningOutboundFailed(logger, attempt.Peer, "it closed the TLS connection before answering: it refused our certificate (another CA, or expired)");
            }
        }
    }

    /// <summary>Right after the client side of TLS: the server's certificate was accepted; watch for its first answer.</summary>
    public Task AfterClientTlsAsync(ConnectionContext context, ConnectionDelegate next)
    {
        if (TlsAttempt.Current is not { } attempt)
        {
            return next(context);
        }

        attempt.Established = true;
        context.Transport = new AnswerWatchingPipe(context.Transport, attempt);
        return next(context);
    }

    /// <summary>
    /// Outermost on an outbound connection of a process without <c>Orleans:Tls</c>: a peer that hangs up before
    /// saying anything is most likely a TLS port refusing plaintext, so say that once per connection.
    /// </summary>
    public async Task OnPlaintextOutboundAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var attempt = new TlsAttempt(context.RemoteEndPoint?.ToString() ?? "?") { Established = true };
        context.Transport = new AnswerWatchingPipe(context.Transport, attempt);
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (!attempt.Answered)
            {
                LogWarningPlaintextUnanswered(logger, attempt.Peer);
            }
        }
    }

    /// <summary>Peeks (without consuming) at the first byte: a TLS connection opens with a handshake record.</summary>
    private async Task<bool> StartsWithTlsAsync(ConnectionContext context, TlsAttempt attempt)
    {
        using var timeout = new CancellationTokenSource(handshakeTimeout);
        try
        {
            var result = await context.Transport.Input.ReadAsync(timeout.Token).ConfigureAwait(false);
            var buffer = result.Buffer;
            context.Transport.Input.AdvanceTo(buffer.Start);
            if (buffer.IsEmpty)
            {
                attempt.Refusal = "it closed the connection without a word";
                return false;
            }

            if (buffer.FirstSpan[0] != TlsHandshakeRecord)
            {
                attempt.Refusal = "it does not speak TLS (a plaintext Orleans client or silo: configure Orleans:Tls there)";
                return false;
            }

            return true;
        }
        catch (OperationCanceledException)
        {
            attempt.Refusal = $"it sent nothing within {handshakeTimeout}";
            return false;
        }
    }

    [LoggerMessage(EventId = 4100, Level = LogLevel.Warning, Message = "Orleans TLS: refused a connection to the {Port} port from {Peer}: {Reason}")]
    private static partial void LogWarningRefusedInbound(ILogger logger, string port, string peer, string reason);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Warning, Message = "Orleans: {Peer} closed the connection before answering; if its Orleans ports require TLS, configure Orleans:Tls:Certificate, :Key and :Ca here")]
    private static partial void LogWarningPlaintextUnanswered(ILogger logger, string peer);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Warning, Message = "Orleans TLS: could not connect to {Peer}: {Reason}")]
    private static partial void LogWarningOutboundFailed(ILogger logger, string peer, string reason);
}
