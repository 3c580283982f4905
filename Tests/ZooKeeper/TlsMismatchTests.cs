using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.Tests.Tls;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Tests.ZooKeeper;

/// <summary>A TLS client pointed at a plaintext port is told so (the other direction is in <see cref="TlsTests"/>).</summary>
[Collection(ZooKeeperCollection.Name)]
public sealed class TlsMismatchTests(ZooKeeperFixture fixture)
{
    [Fact]
    public async Task TlsClientOnAPlaintextPortIsToldItIsPlaintext()
    {
        using var pki = new TestPki();
        var options = new ZooKeeperClientOptions
        {
            ConnectionString = fixture.Server.ConnectionString,
            Tls = new ZooKeeperTlsOptions { CaPath = pki.CaPath },
        };
        await using var client = new ZooKeeperClient(options, FileLoggerFactory.FromEnvironment());

        await Eventually.UntilAsync(() => client.LastConnectFailure is not null, "the TLS handshake to fail");

        Assert.NotEqual(ZooKeeperState.Connected, client.State);
        Assert.Contains("plaintext port", client.LastConnectFailure, StringComparison.Ordinal);
    }
}
