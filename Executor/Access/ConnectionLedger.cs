using System.Collections.Concurrent;
using System.Net;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Who connected to the log streamer: accepted and refused connections per remote address, so an operator
/// (and the zone tests) can check that only the zone's own gateway reaches this executor.
/// </summary>
public sealed class ConnectionLedger
{
    private readonly ConcurrentDictionary<IPAddress, long> _accepted = new();
    private readonly ConcurrentDictionary<IPAddress, long> _refused = new();

    public IReadOnlyDictionary<IPAddress, long> Accepted => _accepted;

    public IReadOnlyDictionary<IPAddress, long> Refused => _refused;

    internal void Record(IPAddress address, bool accepted) =>
        (accepted ? _accepted : _refused).AddOrUpdate(address, 1, (_, n) => n + 1);
}
