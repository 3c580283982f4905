using System.Net.Sockets;
using System.Text;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.Executor;

/// <summary>A finger client on a real loopback socket that collects what the server sends.</summary>
internal sealed class FingerTestClient : IDisposable
{
    private readonly Socket _socket;
    private readonly MemoryStream _received = new();
    private readonly Lock _lock = new();
    private Task? _reader;

    private FingerTestClient(Socket socket) => _socket = socket;

    public bool Closed { get; private set; }

    public static FingerTestClient Connect(int port, int? receiveBufferSize = null)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        if (receiveBufferSize is { } size)
        {
            socket.ReceiveBufferSize = size;
        }

        socket.Connect("127.0.0.1", port);
        return new FingerTestClient(socket);
    }

    public Socket Socket => _socket;

    /// <summary>Sends <paramref name="text"/> (e.g. the request line) and starts collecting the answer.</summary>
    public FingerTestClient Send(string text) => Send(Encoding.Latin1.GetBytes(text));

    public FingerTestClient Send(byte[] bytes)
    {
        SendWithoutReading(bytes);
        StartReading();
        return this;
    }

    /// <summary>Sends without reading the answer: a client that does not read.</summary>
    public FingerTestClient SendWithoutReading(byte[] bytes)
    {
        _socket.Send(bytes);
        return this;
    }

    public void StartReading() => _reader ??= Task.Run(ReadLoopAsync);

    public byte[] Received
    {
        get
        {
            lock (_lock)
            {
                return _received.ToArray();
            }
        }
    }

    public long ReceivedCount
    {
        get
        {
            lock (_lock)
            {
                return _received.Length;
            }
        }
    }

    public string ReceivedText => Encoding.UTF8.GetString(Received);

    /// <summary>Waits until the server closes the connection; returns everything received.</summary>
    public async Task<byte[]> ReadToEndAsync(TimeSpan? deadline = null)
    {
        StartReading();
        await Eventually.WithinAsync(_reader!, "the server to close the stream", deadline);
        return Received;
    }

    /// <summary>Waits until <paramref name="count"/> bytes arrived; fails at once when the server closes before that.</summary>
    public async Task WaitForBytesAsync(long count, TimeSpan? deadline = null)
    {
        await Eventually.UntilAsync(() => ReceivedCount >= count || Closed, $"{count} bytes (have {ReceivedCount})", deadline);
        Assert.True(ReceivedCount >= count, $"the server closed the stream after {ReceivedCount} of the {count} bytes awaited");
    }

    /// <summary>Waits until the text arrived; fails at once when the server closes without sending it.</summary>
    public async Task WaitForTextAsync(string text, TimeSpan? deadline = null)
    {
        bool Arrived() => ReceivedText.Contains(text, StringComparison.Ordinal);
        await Eventually.UntilAsync(() => Arrived() || Closed, $"text '{text.Trim()}'", deadline);
        Assert.True(Arrived(), $"the server closed the stream without sending '{text.Trim()}' (got '{ReceivedText}')");
    }

    /// <summary>Resets the connection (RST), like a client that vanishes.</summary>
    public void Abort()
    {
        _socket.LingerState = new LingerOption(true, 0);
        _socket.Close();
    }

    private async Task ReadLoopAsync()
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await _socket.ReceiveAsync(buffer, SocketFlags.None);
                if (n == 0)
                {
                    break;
                }

                lock (_lock)
                {
                    _received.Write(buffer, 0, n);
                }
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
        }
        finally
        {
            Closed = true;
        }
    }

    public void Dispose() => _socket.Dispose();
}
