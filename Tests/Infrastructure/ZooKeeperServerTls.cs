namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>
/// A secure-port-only ZooKeeper: <paramref name="KeyStorePem"/> holds the server's key and certificate in one PEM file,
/// <paramref name="TrustStorePem"/> the CA that client certificates must chain to; <paramref name="ClientAuth"/> is
/// ZooKeeper's <c>ssl.clientAuth</c> (none, want, need). The probe certificate lets the harness ask <c>srvr</c>.
/// </summary>
public sealed record ZooKeeperServerTls(string KeyStorePem, string TrustStorePem, string ProbeCertificate, string ProbeKey, string ClientAuth = "need");
