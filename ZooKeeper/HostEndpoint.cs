namespace Zuul.LiveLog.ZooKeeper;

/// <summary>One server of the ensemble.</summary>
public sealed record HostEndpoint(string Host, int Port)
{
    public override string ToString() => Host.Contains(':') ? $"[{Host}]:{Port}" : $"{Host}:{Port}";
}
