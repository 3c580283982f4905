namespace Zuul.LiveLog.ZooKeeper.Session;

/// <summary>Client-side one-shot watchers by path (ZKWatchManager): which to fire for an event, which to re-arm after a reconnect.</summary>
internal sealed class WatchManager
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<Func<WatchedEvent, Task>>> _data = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Func<WatchedEvent, Task>>> _exist = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<Func<WatchedEvent, Task>>> _child = new(StringComparer.Ordinal);

    public bool IsEmpty
    {
        get
        {
            lock (_lock)
            {
                return _data.Count == 0 && _exist.Count == 0 && _child.Count == 0;
            }
        }
    }

    public void Add(WatchKind kind, string path, Func<WatchedEvent, Task> watcher)
    {
        lock (_lock)
        {
            var table = Table(kind);
            if (!table.TryGetValue(path, out var list))
            {
                table[path] = list = [];
            }

            // Same watcher on the same path fires once, as in the Java client.
            if (!list.Contains(watcher))
            {
                list.Add(watcher);
            }
        }
    }

    /// <summary>Removes and returns the watchers an event triggers.</summary>
    public List<Func<WatchedEvent, Task>> Materialize(WatchedEventType type, string path)
    {
        var result = new List<Func<WatchedEvent, Task>>();
        lock (_lock)
        {
            switch (type)
            {
                case WatchedEventType.NodeCreated:
                case WatchedEventType.NodeDataChanged:
                    Take(_data, path, result);
                    Take(_exist, path, result);
                    break;
                case WatchedEventType.NodeChildrenChanged:
                    Take(_child, path, result);
                    break;
                case WatchedEventType.NodeDeleted:
                    Take(_data, path, result);
                    Take(_exist, path, result);
                    Take(_child, path, result);
                    break;
            }
        }

        return result;
    }

    /// <summary>Paths to re-arm with SetWatches after reconnecting (client paths, without chroot).</summary>
    public (List<string> Data, List<string> Exist, List<string> Child) Snapshot()
    {
        lock (_lock)
        {
            return ([.. _data.Keys], [.. _exist.Keys], [.. _child.Keys]);
        }
    }

    /// <summary>Removes every watcher with its path (on session expiry).</summary>
    public List<(string Path, Func<WatchedEvent, Task> Watcher)> Clear()
    {
        var result = new List<(string, Func<WatchedEvent, Task>)>();
        lock (_lock)
        {
            foreach (var table in new[] { _data, _exist, _child })
            {
                foreach (var (path, list) in table)
                {
                    foreach (var watcher in list)
                    {
                        if (!result.Contains((path, watcher)))
                        {
                            result.Add((path, watcher));
                        }
                    }
                }

                table.Clear();
            }
        }

        return result;
    }

    private static void Take(Dictionary<string, List<Func<WatchedEvent, Task>>> table, string path, List<Func<WatchedEvent, Task>> result)
    {
        if (table.Remove(path, out var list))
        {
            foreach (var watcher in list)
            {
                if (!result.Contains(watcher))
                {
                    result.Add(watcher);
                }
            }
        }
    }

    private Dictionary<string, List<Func<WatchedEvent, Task>>> Table(WatchKind kind) => kind switch
    {
        WatchKind.Data => _data,
        WatchKind.Exist => _exist,
        _ => _child,
    };
}
