using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Configuration;
using Orleans.Connections.Security;
using Zuul.LiveLog.Finger.Tls;

namespace Zuul.LiveLog.Hosting.OrleansTls;

/// <summary>
/// Puts mutual TLS (Orleans.Connections.Security) on a silo's or a client's Orleans connections, with certificates
/// read from PEM files and re-read when they change (as finger TLS does), and one log line per refused peer.
/// Without <c>Orleans:Tls</c> connections stay plaintext; only a peer that hangs up unanswered gets a hint logged.
/// </summary>
public static class OrleansTlsHosting
{
    /// <summary>Silo: TLS with client certificates on the silo and gateway ports and on connections to other silos.</summary>
    public static ISiloBuilder UseZuulTls(this ISiloBuilder silo, OrleansTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.IsOn)
        {
            silo.Services.AddOptions<SiloConnectionOptions>().Configure<ILoggerFactory>((options, loggers) =>
                options.ConfigureSiloOutboundConnection(builder => PlaintextOutbound(builder, Guard(loggers, settings))));
            return silo;
        }

        var certificate = new CertificateSource(settings.Certificate!, settings.Key!);
        var check = new PeerCertificateCheck(settings.Ca!);
        silo.Services.AddOptions<SiloConnectionOptions>().Configure<ILoggerFactory>((options, loggers) =>
        {
            var guard = Guard(loggers, settings);
            var server = ServerOptions(certificate, check, settings);
            var client = ClientOptions(certificate, check, settings);
            options.ConfigureSiloInboundConnection(builder => Inbound(builder, guard, server, "silo"));
            options.ConfigureGatewayInboundConnection(builder => Inbound(builder, guard, server, "gateway"));
            options.ConfigureSiloOutboundConnection(builder => Outbound(builder, guard, client));
        });
        return silo;
    }

    /// <summary>Client (web frontend, executor): TLS with this process's client certificate towards the gateways.</summary>
    public static IClientBuilder UseZuulTls(this IClientBuilder client, OrleansTlsSettings settings)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(settings);
        if (!settings.IsOn)
        {
            client.Services.AddOptions<ClientConnectionOptions>().Configure<ILoggerFactory>((options, loggers) =>
                options.ConfigureConnection(builder => PlaintextOutbound(builder, Guard(loggers, settings))));
            return client;
        }

        var certificate = new CertificateSource(settings.Certificate!, settings.Key!);
        var check = new PeerCertificateCheck(settings.Ca!);
        client.Services.AddOptions<ClientConnectionOptions>().Configure<ILoggerFactory>((options, loggers) =>
        {
            var guard = Guard(loggers, settings);
            var tls = ClientOptions(certificate, check, settings);
            options.ConfigureConnection(builder => Outbound(builder, guard, tls));
        });
        return client;
    }

    private static OrleansTlsGuard Guard(ILoggerFactory loggers, OrleansTlsSettings settings) =>
        new(loggers.CreateLogger<OrleansTlsGuard>(), settings.HandshakeTimeout);

    private static void PlaintextOutbound(IConnectionBuilder builder, OrleansTlsGuard guard) =>
        builder.Use(next => context => guard.OnPlaintextOutboundAsync(context, next));

    private static void Inbound(IConnectionBuilder builder, OrleansTlsGuard guard, TlsOptions tls, string port)
    {
        builder.Use(next => context => guard.OnInboundAsync(context, next, port));
        builder.UseServerTls(tls);
        builder.Use(next => context => guard.AfterServerTlsAsync(context, next));
    }

    private static void Outbound(IConnectionBuilder builder, OrleansTlsGuard guard, TlsOptions tls)
    {
        builder.Use(next => context => guard.OnOutboundAsync(context, next));
        builder.UseClientTls(tls);
        builder.Use(next => context => guard.AfterClientTlsAsync(context, next));
    }

    private static TlsOptions ServerOptions(CertificateSource certificate, PeerCertificateCheck check, OrleansTlsSettings settings) => new()
    {
        LocalServerCertificateSelector = (_, _) => certificate.Current,
        // Asked for, but checked by the guard after the handshake, so a missing certificate gets its own log line.
        RemoteCertificateMode = RemoteCertificateMode.AllowCertificate,
        RemoteCertificateValidation = check.Validate,
        SslProtocols = TlsProtocolsAllowed,
        HandshakeTimeout = settings.HandshakeTimeout,
    };

    private static TlsOptions ClientOptions(CertificateSource certificate, PeerCertificateCheck check, OrleansTlsSettings settings) => new()
    {
        LocalClientCertificateSelector = (_, _, _, _, _) => certificate.Current,
        // The certificate comes from the selector (re-read on change); "Allow" only skips the start-up check of a fixed one.
        ClientCertificateMode = RemoteCertificateMode.AllowCertificate,
        RemoteCertificateMode = RemoteCertificateMode.RequireCertificate,
        RemoteCertificateValidation = check.Validate,
        SslProtocols = TlsProtocolsAllowed,
        HandshakeTimeout = settings.HandshakeTimeout,
    };

    private const System.Security.Authentication.SslProtocols TlsProtocolsAllowed =
        System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13;
}
