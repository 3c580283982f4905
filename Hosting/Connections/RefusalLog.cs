using System.Net;
using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.Hosting.Connections;

/// <summary>
/// Logs refused connections at most once per client address per <see cref="Interval"/>, with the number refused since
/// that address's last line. The table of addresses is bounded: when it is full, addresses it does not hold share one
/// line per interval, so neither the log nor the memory grows with a flood from many addresses.
/// </summary>
public sealed partial class RefusalLog(ILogger logger, TimeProvider time, TimeSpan interval, int maxAddresses = 1024)
{
    /// <summary>The default interval between two lines about one address.</summary>
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(10);

    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, Entry> _entries = [];
    private Entry _others = new(long.MinValue, 0);

    public TimeSpan Interval => interval;

    public void Refused(string listener, IPAddress? client, ConnectionLimit limit, int max)
    {
        var now = time.GetTimestamp();
        long suppressed;
        lock (_gate)
        {
            if (client is not null && (_entries.ContainsKey(client) || _entries.Count < maxAddresses || Prune(now)))
            {
                var entry = _entries.GetValueOrDefault(client, new Entry(long.MinValue, 0));
                if (!Due(entry, now))
                {
                    _entries[client] = entry with { Suppressed = entry.Suppressed + 1 };
                    return;
                }

                suppressed = entry.Suppressed;
                _entries[client] = new Entry(now, 0);
            }
            else
            {
                if (!Due(_others, now))
                {
                    _others = _others with { Suppressed = _others.Suppressed + 1 };
                    return;
                }

                suppressed = _others.Suppressed;
                _others = new Entry(now, 0);
                client = null;
            }
        }

        var who = client?.ToString() ?? "(other addresses)";
        if (limit == ConnectionLimit.Listener)
        {
            LogWarningListenerFull(logger, listener, who, max, suppressed, interval);
        }
        else
        {
            LogWarningClientFull(logger, listener, who, max, suppressed, interval);
        }
    }

    private bool Due(Entry entry, long now) =>
        entry.LoggedAt == long.MinValue || time.GetElapsedTime(entry.LoggedAt, now) >= interval;

    /// <summary>Forgets addresses whose last line is older than the interval; true when room was made.</summary>
    private bool Prune(long now)
    {
        foreach (var (address, entry) in _entries.ToList())
        {
            if (Due(entry, now))
            {
                _entries.Remove(address);
            }
        }

        return _entries.Count < maxAddresses;
    }

    private readonly record struct Entry(long LoggedAt, long Suppressed);

    [LoggerMessage(220, LogLevel.Warning, "Refused a {Listener} connection from {Client}: the listener holds its maximum of {Max} connections ({Suppressed} more refused from there since the last such line; one line per {Interval})")]
    private static partial void LogWarningListenerFull(ILogger logger, string listener, string client, int max, long suppressed, TimeSpan interval);

    [LoggerMessage(221, LogLevel.Warning, "Refused a {Listener} connection from {Client}: that address holds its maximum of {Max} connections ({Suppressed} more refused from there since the last such line; one line per {Interval})")]
    private static partial void LogWarningClientFull(ILogger logger, string listener, string client, int max, long suppressed, TimeSpan interval);
}
