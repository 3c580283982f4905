namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// <c>ZooKeeper:Acl:*</c>: the ACL of every node this process creates (chroot, membership, gateway registry, grain
/// state). The owners get every permission; nobody else may write. Without owners (no credentials, no client
/// certificate, none listed) nodes stay open as before.
/// </summary>
public sealed class ZooKeeperAclSettings
{
    /// <summary>
    /// Owners as <c>scheme:id</c>, e.g. <c>x509:CN=orleans-zuul,O=Example</c> or <c>digest:zuul:&lt;base64 sha1&gt;</c>.
    /// Empty: this process's own identities (its digest user and its client certificate's subject), which suits a
    /// deployment whose processes share one digest user or one certificate subject.
    /// </summary>
    public List<string> Owners { get; set; } = [];

    /// <summary>Only the owners may read (default: everybody may read, only the owners write).</summary>
    public bool RestrictReads { get; set; }
}
