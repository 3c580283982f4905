namespace Zuul.LiveLog.Finger;

/// <summary>The outcome of reading one request line. <see cref="BuildId"/> is normalised when <see cref="Status"/> is Ok.</summary>
public readonly record struct FingerRequest(FingerRequestStatus Status, string BuildId, string RawId);
