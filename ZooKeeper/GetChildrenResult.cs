namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A node's child names (not full paths, in server order) and its metadata.</summary>
public sealed record GetChildrenResult(IReadOnlyList<string> Children, Stat Stat);
