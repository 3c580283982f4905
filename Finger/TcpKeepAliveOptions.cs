namespace Zuul.LiveLog.Finger;

/// <summary>
/// TCP keepalive of every relay socket of a process (section <c>TcpKeepAlive</c>): the clients' sockets it accepted and
/// its connections to the next hop. A relay of a quiet build sends nothing for minutes, so a peer that vanished
/// without a reset (host gone, link cut, packets dropped) is noticed only by probes: after <see cref="Time"/> idle, one
/// probe every <see cref="Interval"/>, and the connection fails after <see cref="Count"/> unanswered ones.
/// </summary>
public sealed class TcpKeepAliveOptions
{
    public const string Section = "TcpKeepAlive";

    /// <summary>Probe at all (<c>TcpKeepAlive:Enabled</c>).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Idle time before the first probe (<c>TCP_KEEPIDLE</c>; whole seconds).</summary>
    public TimeSpan Time { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Time between unanswered probes (<c>TCP_KEEPINTVL</c>; whole seconds).</summary>
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Unanswered probes before the connection fails (<c>TCP_KEEPCNT</c>).</summary>
    public int Count { get; set; } = 6;

    /// <summary>The longest a silent dead peer goes unnoticed: <see cref="Time"/> + <see cref="Interval"/> x <see cref="Count"/>.</summary>
    public TimeSpan DetectionTime => Time + (Interval * Count);
}
