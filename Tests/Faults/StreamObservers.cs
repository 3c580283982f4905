using System.Diagnostics;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;

namespace Zuul.LiveLog.Tests.Faults;

/// <summary>What one client of a fault test saw: the bytes, how the stream ended, and the longest silence after the fault.</summary>
internal sealed class StreamObservation
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly List<TimeSpan> _arrivals = [];
    private readonly Lock _lock = new();

    public required string Client { get; init; }

    public byte[] Bytes { get; set; } = [];

    /// <summary>How it ended: "EOF", "reset (...)", "close 1000 Stream ended." and so on.</summary>
    public string End { get; set; } = "(running)";

    public int Received
    {
        get
        {
            lock (_lock)
            {
                return _arrivals.Count;
            }
        }
    }

    public void Arrived()
    {
        lock (_lock)
        {
            _arrivals.Add(_clock.Elapsed);
        }
    }

    /// <summary>A point on this observation's clock (when the fault was made).</summary>
    public TimeSpan Now => _clock.Elapsed;

    /// <summary>The time from <paramref name="fault"/> to the first bytes after it: how long the client saw nothing.</summary>
    public TimeSpan RecoveredAfter(TimeSpan fault)
    {
        lock (_lock)
        {
            var next = _arrivals.FirstOrDefault(a => a > fault);
            return next == default ? TimeSpan.MaxValue : next - fault;
        }
    }
}

internal static class StreamObservers
{
    /// <summary>A finger client (like `finger` or `nc`): reads until the server closes or resets, never throws for either.</summary>
    public static async Task<StreamObservation> FingerAsync(string host, int port, string uuid, TimeSpan timeout, StreamObservation observation)
    {
        using var cts = new CancellationTokenSource(timeout);
        using var client = new TcpClient();
        await client.ConnectAsync(host, port, cts.Token);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(uuid + "\n"), cts.Token);
        using var ms = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            int n;
            while ((n = await stream.ReadAsync(buffer, cts.Token)) > 0)
            {
                ms.Write(buffer, 0, n);
                observation.Bytes = ms.ToArray();
                observation.Arrived();
            }

            observation.End = "EOF";
        }
        catch (IOException ex) when (ex.InnerException is SocketException se)
        {
            observation.End = $"reset ({se.SocketErrorCode})";
        }

        observation.Bytes = ms.ToArray();
        return observation;
    }

    /// <summary>A console-stream websocket client of the build's tenant (test builds have the default one): reads until the close frame (or a broken connection).</summary>
    public static async Task<StreamObservation> WebsocketAsync(Uri web, string uuid, TimeSpan timeout, StreamObservation observation, string tenant = Zuul.LiveLog.Grains.BuildRecords.DefaultTenant)
    {
        using var all = new MemoryStream();
        try
        {
            var (status, reason) = await Integration.WebsocketClient.StreamBytesAsync(web, $"{{\"uuid\": \"{uuid}\"}}", timeout, (bytes, _) =>
            {
                all.Write(bytes);
                observation.Bytes = all.ToArray();
                observation.Arrived();
            }, tenant);
            observation.End = $"close {(int?)status} {reason}";
        }
        catch (WebSocketException ex)
        {
            observation.End = $"broken ({ex.WebSocketErrorCode})";
        }

        observation.Bytes = all.ToArray();
        return observation;
    }
}
