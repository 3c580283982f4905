namespace Zuul.LiveLog.Finger.Sharing;

/// <summary>How the bytes of a shared stream reach one client (a finger socket or pipe, a websocket, an HTTP response).</summary>
public interface IStreamSink
{
    /// <summary>
    /// Whether <see cref="TrySend"/> works: a send that never waits and costs a system call, so the stream's reader can
    /// hand new bytes to thousands of idle clients itself instead of waking a task for each. A sink written only by its
    /// subscription's task (a pipe, a websocket) keeps the defaults: false, and no inline send.
    /// </summary>
    bool SendsInline => false;

    /// <summary>Sends what the client takes now of the window's bytes [<paramref name="from"/>, <paramref name="to"/>), without waiting.</summary>
    SinkProgress TrySend(LogWindow window, long from, long to) => throw new NotSupportedException($"{GetType().Name} is written by its subscription's task");

    /// <summary>
    /// As <see cref="TrySend(LogWindow, long, long)"/>, from a copy of those bytes the reader made once for every client
    /// at the same offset: for a line or two, one plain send each costs less than a <c>sendfile(2)</c> each.
    /// </summary>
    SinkProgress TrySend(ReadOnlySpan<byte> bytes) => throw new NotSupportedException($"{GetType().Name} is written by its subscription's task");

    /// <summary>
    /// Sends the window's bytes [<paramref name="from"/>, <paramref name="to"/>), waiting for the client as needed. A text
    /// sink stops before an unfinished character (<see cref="SinkStatus.NeedMore"/>) unless <paramref name="final"/>.
    /// </summary>
    ValueTask<SinkProgress> SendAsync(LogWindow window, long from, long to, bool final, CancellationToken cancellationToken);

    /// <summary>Sends bytes the client's own upstream gave (catching up), as <see cref="SendAsync(LogWindow, long, long, bool, CancellationToken)"/>.</summary>
    ValueTask<SinkProgress> SendAsync(ReadOnlyMemory<byte> bytes, bool final, CancellationToken cancellationToken);
}

/// <summary>What a sink did: bytes taken, and why it stopped.</summary>
public readonly record struct SinkProgress(long Taken, SinkStatus Status);

public enum SinkStatus
{
    /// <summary>Everything offered was taken.</summary>
    Taken,

    /// <summary>The client takes no more now (its socket buffer is full): the rest needs waiting.</summary>
    Full,

    /// <summary>The rest is an unfinished character: more bytes are needed first.</summary>
    NeedMore,

    /// <summary>The client is gone.</summary>
    Gone,

    /// <summary>The bytes were dropped from the window before they were sent: the client fell behind.</summary>
    Dropped,
}
