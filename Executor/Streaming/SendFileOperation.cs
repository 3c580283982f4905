using System.Net.Sockets;
using System.Threading.Tasks.Sources;

namespace Orleans.Zuul.Executor;

/// <summary>
/// One reusable <c>sendfile(2)</c> operation per connection: the kernel copies log bytes from the page cache to the
/// socket, no user-space buffer at all. Built on <see cref="Socket.SendPacketsAsync(SocketAsyncEventArgs)"/> with a
/// file element, awaited without allocating a task (only the small element object is new per call).
/// </summary>
internal sealed class SendFileOperation : SocketAsyncEventArgs, IValueTaskSource
{
    private readonly SendPacketsElement[] _elements = new SendPacketsElement[1];
    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _pending;

    public SendFileOperation()
        : base(unsafeSuppressExecutionContextFlow: true)
    {
    }

    /// <summary>True while a send is in flight (the operation must then not be reused or disposed).</summary>
    public bool IsPending => Volatile.Read(ref _pending) == 1;

    /// <summary>Sends <paramref name="count"/> bytes of <paramref name="file"/> from <paramref name="offset"/>.</summary>
    public ValueTask SendAsync(Socket socket, FileStream file, long offset, int count)
    {
        _core.Reset();
        _elements[0] = new SendPacketsElement(file, offset, count, endOfPacket: false);
        SendPacketsElements = _elements;
        Volatile.Write(ref _pending, 1);
        if (!socket.SendPacketsAsync(this))
        {
            Complete();
        }

        return new ValueTask(this, _core.Version);
    }

    protected override void OnCompleted(SocketAsyncEventArgs e) => Complete();

    private void Complete()
    {
        _elements[0] = null!;
        Volatile.Write(ref _pending, 0);
        if (SocketError == SocketError.Success)
        {
            _core.SetResult(true);
        }
        else
        {
            _core.SetException(new SocketException((int)SocketError));
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
