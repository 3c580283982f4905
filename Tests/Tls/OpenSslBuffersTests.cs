using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using Zuul.LiveLog.Finger.Tls;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Tls;

/// <summary>
/// SSL_MODE_RELEASE_BUFFERS reaches both ends of a real TLS connection (it fails here first if a runtime update moves
/// the SslStream internals it relies on), and streams keep working once the buffers come and go.
/// </summary>
public sealed class OpenSslBuffersTests : IDisposable
{
    private const long ReleaseBuffers = 0x10;
    private readonly TestPki _pki = new();

    public void Dispose() => _pki.Dispose();

    [Fact]
    public async Task BothEndsReleaseTheirBuffersAndStillCarryEveryByte()
    {
        var serverCert = _pki.Issue("server", "gw.test");
        var clientCert = _pki.Issue("client", "client.test");
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        using var clientTcp = new TcpClient();
        await clientTcp.ConnectAsync((IPEndPoint)listener.LocalEndpoint);
        using var serverTcp = await listener.AcceptTcpClientAsync();

        var source = new CertificateSource(serverCert.Certificate, serverCert.Key);
        await using var server = new SslStream(serverTcp.GetStream());
        var serverAuth = server.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificateContext = source.Context });
        var authenticator = new TlsClientAuthenticator(new FingerTlsOptions { Certificate = clientCert.Certificate, Key = clientCert.Key, Ca = _pki.CaPath });
        await using var client = (SslStream)await Eventually.WithinAsync(authenticator.AuthenticateAsync(clientTcp.GetStream(), "gw.test", CancellationToken.None), "the client handshake");
        await Eventually.WithinAsync(serverAuth, "the server handshake");

        Assert.True(OpenSslBuffers.IsSupported, "SslStream's OpenSSL connection could not be reached in this runtime");
        Assert.True(OpenSslBuffers.TryRelease(server), "the mode could not be set on the server end");
        Assert.True((OpenSslBuffers.Mode(client) & ReleaseBuffers) != 0, "the client authenticator did not set SSL_MODE_RELEASE_BUFFERS");
        Assert.True((OpenSslBuffers.Mode(server) & ReleaseBuffers) != 0, "SSL_MODE_RELEASE_BUFFERS is not set on the server end");

        for (var round = 0; round < 3; round++)
        {
            // Big writes fill the record buffers, which are released once empty between rounds: each round must still be exact.
            var data = RandomNumberGenerator.GetBytes((1 << 20) + round);
            var writing = server.WriteAsync(data).AsTask();
            var received = new byte[data.Length];
            await Eventually.WithinAsync(client.ReadExactlyAsync(received).AsTask(), $"round {round}: the client reads everything");
            await writing;
            Assert.True(data.AsSpan().SequenceEqual(received), $"round {round}: bytes differ");

            var reply = RandomNumberGenerator.GetBytes(100);
            await client.WriteAsync(reply);
            var back = new byte[reply.Length];
            await Eventually.WithinAsync(server.ReadExactlyAsync(back).AsTask(), $"round {round}: the server reads the reply");
            Assert.Equal(reply, back);
        }
    }
}
