namespace Zuul.LiveLog.Finger;

/// <summary>
/// Told about log bytes as they reach the client, e.g. to count them. Called on the relay's hot path after every
/// piece sent, by one copy loop at a time: an implementation must be cheap and allocate nothing.
/// </summary>
public interface IRelayProgress
{
    void Relayed(long bytes);
}
