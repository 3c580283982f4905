using System.Net.Sockets;

namespace Zuul.LiveLog.Finger;

/// <summary>Applies and checks <see cref="TcpKeepAliveOptions"/>: the one home of the keepalive rule for relay sockets.</summary>
public static class TcpKeepAlive
{
    /// <summary>Kernel limits of the three values (Linux: <c>MAX_TCP_KEEPIDLE</c>, <c>MAX_TCP_KEEPINTVL</c>, <c>MAX_TCP_KEEPCNT</c>).</summary>
    private const int MaxSeconds = 32767;
    private const int MaxCount = 127;

    /// <summary>Turns keepalive on <paramref name="socket"/> as configured; a socket already closed is left alone.</summary>
    public static void Apply(Socket socket, TcpKeepAliveOptions options)
    {
        ArgumentNullException.ThrowIfNull(socket);
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled)
        {
            return;
        }

        try
        {
            socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveTime, Seconds(options.Time));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveInterval, Seconds(options.Interval));
            socket.SetSocketOption(SocketOptionLevel.Tcp, SocketOptionName.TcpKeepAliveRetryCount, options.Count);
        }
        catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
        {
            // The peer left between accept and here (EINVAL on a reset socket): its relay ends on its own.
        }
    }

    /// <summary>Every problem with <paramref name="options"/>, each naming its key under <paramref name="section"/>.</summary>
    public static IReadOnlyList<string> Validate(string section, TcpKeepAliveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        CheckSeconds(errors, $"{section}:Time", options.Time);
        CheckSeconds(errors, $"{section}:Interval", options.Interval);
        if (options.Count is < 1 or > MaxCount)
        {
            errors.Add($"{section}:Count must be 1..{MaxCount} (got {options.Count}).");
        }

        return errors;
    }

    private static void CheckSeconds(List<string> errors, string key, TimeSpan value)
    {
        if (value < TimeSpan.FromSeconds(1) || value > TimeSpan.FromSeconds(MaxSeconds) || value.Ticks % TimeSpan.TicksPerSecond != 0)
        {
            errors.Add($"{key} must be whole seconds, 00:00:01..{TimeSpan.FromSeconds(MaxSeconds)} (got {value}).");
        }
    }

    private static int Seconds(TimeSpan value) => (int)value.TotalSeconds;
}
