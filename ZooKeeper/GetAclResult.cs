namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A node's ACL and metadata (its <see cref="Stat.Aversion"/> is the version SetAcl checks).</summary>
public sealed record GetAclResult(IReadOnlyList<Acl> Acl, Stat Stat);
