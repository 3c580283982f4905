namespace Zuul.LiveLog.Hosting.OrleansTls;

/// <summary>
/// What happened to one connection's TLS handshake, shared by the middlewares around Orleans' TLS middleware
/// (which swallows failures) and the certificate callbacks, through the connection's async flow.
/// </summary>
internal sealed class TlsAttempt(string peer)
{
    private static readonly AsyncLocal<TlsAttempt?> CurrentAttempt = new();

    public static TlsAttempt? Current
    {
        get => CurrentAttempt.Value;
        set => CurrentAttempt.Value = value;
    }

    public string Peer { get; } = peer;

    /// <summary>Why the peer's certificate was refused, when it was.</summary>
    public string? Refusal { get; set; }

    /// <summary>The handshake completed and the peer's certificate was accepted.</summary>
    public bool Established { get; set; }

    /// <summary>The peer sent at least one byte after the handshake.</summary>
    public bool Answered { get; set; }
}
