using Zuul.LiveLog.Tests.Tls;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary><c>ZooKeeper:Tls</c>, <c>:Auth</c>, <c>:Acl</c>: every problem listed at once, secrets never echoed, the ACL rule.</summary>
public sealed class ZooKeeperSecuritySettingsTests
{
    [Fact]
    public void HalfConfiguredSecurityListsEveryProblemWithoutTheSecret()
    {
        var options = new ZooKeeperOptions { ConnectionString = "zk:2281" };
        options.Tls.Certificate = "/nonexistent/client.pem";
        options.Auth.Digest = "zuul-without-password-hunter2";
        options.Acl.Owners = ["no-colon"];

        var errors = ZooKeeperOptionsValidator.Errors(options);

        Assert.Contains(errors, e => e.Contains("ZooKeeper:Tls:Key is missing", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ZooKeeper:Tls:Certificate: file '/nonexistent/client.pem' does not exist", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ZooKeeper:Auth:Digest must be user:password", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("'no-colon' is not scheme:id", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.Contains("hunter2", StringComparison.Ordinal));
        Assert.Equal(4, errors.Count);
    }

    [Fact]
    public void RestrictedReadsWithoutAnOwnerAreRefused()
    {
        var options = new ZooKeeperOptions { ConnectionString = "zk:2181" };
        options.Acl.RestrictReads = true;

        Assert.Contains(ZooKeeperOptionsValidator.Errors(options), e => e.Contains("RestrictReads needs an owner", StringComparison.Ordinal));
    }

    [Fact]
    public void PlaintextWithoutCredentialsKeepsNodesOpen()
    {
        var options = new ZooKeeperOptions { ConnectionString = "zk:2181" };

        Assert.Empty(ZooKeeperOptionsValidator.Errors(options));
        Assert.Null(DeploymentAcl.For(options));
        Assert.False(options.Tls.IsOn);
    }

    [Fact]
    public void OwnersAreTheDigestUserAndTheCertificateSubjectUnlessListed()
    {
        using var pki = new TestPki();
        var issued = pki.IssueWithSubject("zk-client", "CN=orleans-zuul, O=Example");
        var options = new ZooKeeperOptions { ConnectionString = "zk:2281" };
        options.Tls.Ca = pki.CaPath;
        options.Tls.Certificate = issued.Certificate;
        options.Tls.Key = issued.Key;
        options.Auth.Digest = "zuul:pa:ss";

        Assert.Empty(ZooKeeperOptionsValidator.Errors(options));
        Assert.Equal(
            [new Acl(Permissions.All, new Id("digest", Acl.DigestId("zuul", "pa:ss"))), new Acl(Permissions.All, new Id("x509", "CN=orleans-zuul,O=Example")), new Acl(Permissions.Read, Id.AnyoneUnsafe)],
            DeploymentAcl.For(options));
        Assert.DoesNotContain("pa:ss", options.Auth.ToString(), StringComparison.Ordinal);

        options.Acl.Owners = ["x509:CN=orleans-zuul,O=Example", "digest:other:abc="];
        options.Acl.RestrictReads = true;
        Assert.Equal(
            [new Acl(Permissions.All, new Id("x509", "CN=orleans-zuul,O=Example")), new Acl(Permissions.All, new Id("digest", "other:abc="))],
            DeploymentAcl.For(options));
    }
}
