using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// One reusable <c>sendfile(2)</c> operation per connection: the kernel copies log bytes from the page cache to the
/// socket, no user-space buffer at all. Built on <see cref="Socket.SendPacketsAsync(SocketAsyncEventArgs)"/> with a
/// file element, awaited without allocating a task (only the small element object is new per call).
/// </summary>
internal sealed class SendFileOperation : SocketAsyncEventArgs, IValueTaskSource<int>
{
    private readonly SendPacketsElement[] _elements = new SendPacketsElement[1];
    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = true };
    private int _pending;

    public SendFileOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>True while a send is in flight (the operation must then not be reused or disposed).</summary>
    public bool IsPending => Volatile.Read(ref _pending) == 1;

    /// <summary>
    /// Sends up to <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>; returns the
    /// bytes actually sent, fewer when the file was truncated meanwhile.
    /// </summary>
    public ValueTask<int> SendAsync(Socket socket, FileStream file, long offset, int count)
    {
        _core.Reset();
        _elements[0] = new SendPacketsElement(file, offset, count, endOfPacket: false);
        SendPacketsElements = _elements;
        Volatile.Write(ref _pending, 1);
        if (!socket.SendPacketsAsync(this))
        {
            Complete();
        }

        return new ValueTask<int>(this, _core.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => Complete();

    private void Complete()
    {
        _elements[0] = null!;
        Volatile.Write(ref _pending, 0);
        if (SocketError == SocketError.Success)
        {
            _core.SetResult(BytesTransferred);
        }
        else
        {
            _core.SetException(new SocketException((int)SocketError));
        }
    }

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
