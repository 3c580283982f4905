using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>Turns a reply (its error code and body) into a result, or throws the matching <see cref="ZooKeeperException"/>.</summary>
internal delegate T ReplyParser<T>(int err, ref JuteReader body);
