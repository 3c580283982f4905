namespace Zuul.LiveLog.ZooKeeper.Jute;

/// <summary>A record of zookeeper.jute that can be written and read back.</summary>
internal interface IJuteRecord<TSelf>
    where TSelf : IJuteRecord<TSelf>
{
    static abstract TSelf Read(ref JuteReader reader);

    void Write(JuteWriter writer);
}
