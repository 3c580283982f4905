using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Protocol;

/// <summary>whoAmI (ZooKeeper 3.7+) has no body; its reply is a vector of ClientInfo {authScheme, user}, laid out as an <see cref="Id"/>.</summary>
internal sealed record WhoAmIRequest : IJuteRecord<WhoAmIRequest>
{
    public static WhoAmIRequest Read(ref JuteReader reader) => new();

    public void Write(JuteWriter writer)
    {
    }
}
