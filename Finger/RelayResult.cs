namespace Zuul.LiveLog.Finger;

/// <summary>The outcome of a relay and the bytes sent to the client.</summary>
public readonly record struct RelayResult(RelayOutcome Outcome, long BytesToClient, Exception? Error);
