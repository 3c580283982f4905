namespace Zuul.LiveLog.ZooKeeper.Jute;

/// <summary>A frame that does not decode as the expected record; surfaced to callers as a marshalling error.</summary>
internal sealed class JuteException(string message) : Exception(message);
