using System.Net.Security;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Finger.Tls;

/// <summary>
/// Kestrel connection middleware terminating TLS for a finger listener: certificate chosen by SNI,
/// client certificates checked against the configured CA, a handshake deadline, and one log line for
/// every refused handshake (plaintext, garbage, stalled, wrong CA, no certificate).
/// </summary>
public sealed partial class TlsServerMiddleware
{
    private readonly FingerTlsOptions _options;
    private readonly ILogger _logger;
    private readonly CertificateSource _default;
    private readonly Dictionary<string, CertificateSource> _byName;
    private readonly TrustAnchors? _trust;

    public TlsServerMiddleware(FingerTlsOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _default = Watched(options.Certificate!, options.Key!);
        _byName = options.ServerNames.ToDictionary(kv => kv.Key, kv => Watched(kv.Value.Certificate, kv.Value.Key), StringComparer.OrdinalIgnoreCase);
        _trust = string.IsNullOrEmpty(options.Ca) ? null : new TrustAnchors(options.Ca);
    }

    /// <summary>A certificate source whose reloads, and reloads that failed, are logged.</summary>
    private CertificateSource Watched(string certificate, string key)
    {
        var source = new CertificateSource(certificate, key);
        source.Reloaded += c => LogInformationCertificateReloaded(_logger, certificate, c.Subject, c.NotAfter);
        source.ReloadFailed += e => LogWarningCertificateReloadFailed(_logger, certificate, key, e.Message);
        return source;
    }

    public async Task OnConnectionAsync(ConnectionContext context, ConnectionDelegate next)
    {
        var original = context.Transport;
        // Records go straight to the socket when Kestrel's socket transport is underneath (the connection is ours alone).
        var socket = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionSocketFeature>()?.Socket;
        var ssl = new SslStream(new DuplexPipeStream(original, socket), leaveInnerStreamOpen: false);
        string? refusal = null;
        string? serverName = null;
        using (var cts = CancellationTokenSource.CreateLinkedTokenSource(context.ConnectionClosed))
        {
            cts.CancelAfter(_options.HandshakeTimeout);
            try
            {
                await ssl.AuthenticateAsServerAsync(
                    (_, hello, _, _) =>
                    {
                        serverName = hello.ServerName;
                        return ValueTask.FromResult(ServerOptions(hello.ServerName, r => refusal = r));
                    },
                    null,
                    cts.Token);
            }
            catch (Exception ex)
            {
                var reason = refusal ?? (ex is OperationCanceledException
                    ? context.ConnectionClosed.IsCancellationRequested
                        ? "the client closed the connection during the handshake (it may have refused our certificate)"
                        : $"no handshake within {_options.HandshakeTimeout.TotalSeconds:0.#} s"
                    : ex.GetBaseException().Message);
                LogInformationHandshakeRefused(_logger, context.RemoteEndPoint?.ToString() ?? "?", serverName ?? "(none)", reason);
                await ssl.DisposeAsync();
                return;
            }
        }

        OpenSslBuffers.TryRelease(ssl);
        context.Items[ServerNameItem] = serverName ?? string.Empty;
        context.Transport = new StreamDuplexPipe(ssl);
        try
        {
            await next(context);
        }
        finally
        {
            context.Transport = original;
            await ssl.DisposeAsync();
        }
    }

    /// <summary>Connection item holding the SNI name of a TLS connection (empty when none was sent).</summary>
    public const string ServerNameItem = "finger.tls.sni";

    /// <summary>Whether this middleware terminated TLS on <paramref name="connection"/> (its transport is then not the socket's).</summary>
    public static bool IsTls(ConnectionContext connection) => connection.Items.ContainsKey(ServerNameItem);

    private SslServerAuthenticationOptions ServerOptions(string? serverName, Action<string> refuse)
    {
        var source = serverName is not null && _byName.TryGetValue(serverName, out var named) ? named : _default;
        return new SslServerAuthenticationOptions
        {
            ServerCertificateContext = source.Context,
            EnabledSslProtocols = TlsProtocols.Allowed,
            ClientCertificateRequired = _options.ClientCertificateRequired,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
            RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
            {
                if (certificate is null && !_options.ClientCertificateRequired)
                {
                    return true;
                }

                // A client certificate is checked against our CA only; client host names are not checked.
                var why = _trust?.Check(certificate, errors, checkName: false) ?? (certificate is null ? "no client certificate presented" : null);
                if (why is not null)
                {
                    refuse("client " + why);
                }

                return why is null;
            },
        };
    }

    [LoggerMessage(600, LogLevel.Information, "TLS handshake from {Remote} (SNI {ServerName}) refused: {Reason}")]
    private static partial void LogInformationHandshakeRefused(ILogger logger, string remote, string serverName, string reason);

    [LoggerMessage(601, LogLevel.Information, "Reloaded TLS certificate {Path}: {Subject}, valid until {NotAfter}")]
    private static partial void LogInformationCertificateReloaded(ILogger logger, string path, string subject, DateTime notAfter);

    [LoggerMessage(602, LogLevel.Warning, "TLS certificate {Path} with key {Key} changed but does not load ({Reason}); serving the previous one until it does")]
    private static partial void LogWarningCertificateReloadFailed(ILogger logger, string path, string key, string reason);
}
