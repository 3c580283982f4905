using System.Collections.Concurrent;

namespace Zuul.LiveLog.Streams;

/// <summary>
/// The next hop each recently opened build was streamed from, so a repeated request can connect there while the
/// build's grain is asked again (<see cref="BuildStreamOpener"/> uses that connection only when the answer still lists
/// the same hop). Bounded: past its capacity it starts over.
/// </summary>
internal sealed class RecentRoutes(int capacity = RecentRoutes.DefaultCapacity)
{
    public const int DefaultCapacity = 4096;

    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);

    public bool TryGet(string buildId, out Route route) => _routes.TryGetValue(buildId, out route);

    public void Remember(string buildId, Route route)
    {
        if (_routes.Count >= capacity)
        {
            _routes.Clear();
        }

        _routes[buildId] = route;
    }

    public void Forget(string buildId) => _routes.TryRemove(buildId, out _);
}

/// <summary>A next hop for a finger stream.</summary>
internal readonly record struct Route(string Host, int Port, bool Tls)
{
    public override string ToString() => $"{Host}:{Port}";
}
