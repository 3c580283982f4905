namespace Zuul.LiveLog.Finger.Tls;

/// <summary>A TLS handshake with a peer failed; the message says which peer and why.</summary>
public sealed class FingerTlsException(string message, Exception? inner = null) : IOException(message, inner);
