using System.Net;
using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Hosting.Telemetry;

namespace Zuul.LiveLog.Hosting.Connections;

/// <summary>
/// Counts a listener's open connections, in all and per client address, and refuses those over its
/// <see cref="ConnectionLimits"/>: each refusal is counted (<c>zuul.streams.rejected</c>) and logged, at most one line
/// per client address per <see cref="RefusalLog"/> interval, so a flood cannot flood the log.
/// </summary>
public sealed class ConnectionLimiter(string listener, ConnectionLimits limits, ZuulMetrics metrics, RefusalLog log)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<IPAddress, int> _perClient = [];
    private int _open;

    /// <summary>What the listener is called in log lines (e.g. <c>finger gateway</c>).</summary>
    public string Listener => listener;

    public ConnectionLimits Limits => limits;

    /// <summary>Connections open now.</summary>
    public int Open
    {
        get
        {
            lock (_gate)
            {
                return _open;
            }
        }
    }

    /// <summary>
    /// Takes a place for a connection from <paramref name="client"/> (null: unknown address, only the listener's limit
    /// applies). Returns the lease to dispose when the connection ends, or null with the limit that refused it.
    /// </summary>
    public Lease? TryAcquire(IPAddress? client, out ConnectionLimit refusedBy)
    {
        client = client is { IsIPv4MappedToIPv6: true } mapped ? mapped.MapToIPv4() : client;
        refusedBy = ConnectionLimit.Listener;
        lock (_gate)
        {
            var fromClient = client is not null && _perClient.TryGetValue(client, out var n) ? n : 0;
            if (_open >= limits.Max)
            {
                refusedBy = ConnectionLimit.Listener;
            }
            else if (client is not null && limits.PerClient > 0 && fromClient >= limits.PerClient)
            {
                refusedBy = ConnectionLimit.Client;
            }
            else
            {
                _open++;
                if (client is not null)
                {
                    _perClient[client] = fromClient + 1;
                }

                return new Lease(this, client);
            }
        }

        metrics.Rejected(refusedBy == ConnectionLimit.Listener ? StreamRejection.TooManyConnections : StreamRejection.TooManyConnectionsFromClient);
        log.Refused(listener, client, refusedBy, refusedBy == ConnectionLimit.Listener ? limits.Max : limits.PerClient);
        return null;
    }

    private void Release(IPAddress? client)
    {
        lock (_gate)
        {
            _open--;
            if (client is not null && _perClient.TryGetValue(client, out var n))
            {
                if (n <= 1)
                {
                    // Addresses with no connection are forgotten: the table holds only what is open.
                    _perClient.Remove(client);
                }
                else
                {
                    _perClient[client] = n - 1;
                }
            }
        }
    }

    /// <summary>A connection's place; disposing it (once) frees the place.</summary>
    public sealed class Lease(ConnectionLimiter owner, IPAddress? client) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release(client);
            }
        }
    }
}
