using Zuul.LiveLog.ZooKeeper.Jute;

namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>A request on its way: encoded once by the caller, given its xid by the send loop, completed by the receive loop.</summary>
internal abstract class PendingRequest(int opCode, string? path, byte[] frame, WatchRegistration? watch)
{
    /// <summary>Offset of the xid in <see cref="Frame"/>: after the 4-byte length prefix.</summary>
    public const int XidOffset = 4;

    public int OpCode { get; } = opCode;

    /// <summary>The caller's path (without chroot), for error messages.</summary>
    public string? Path { get; } = path;

    /// <summary>Length prefix, request header (xid patched at send time) and body.</summary>
    public byte[] Frame { get; } = frame;

    public WatchRegistration? Watch { get; } = watch;

    public int Xid { get; set; }

    public abstract bool IsCompleted { get; }

    public abstract void Complete(int err, ref JuteReader body);

    public abstract void Fail(Exception exception);
}
