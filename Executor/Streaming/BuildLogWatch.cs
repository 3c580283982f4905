namespace Zuul.LiveLog.Executor;

/// <summary>
/// Change notification for one build's log directory, shared by every reader of that build
/// (one <see cref="FileSystemWatcher"/> per followed build, however many readers follow it).
/// </summary>
internal sealed class BuildLogWatch : IDisposable
{
    private TaskCompletionSource _changed = NewSignal();
    private FileSystemWatcher? _watcher;

    public BuildLogWatch(string key) => Key = key;

    public string Key { get; }

    /// <summary>Readers holding this watch; guarded by the registry's lock.</summary>
    public int References { get; set; }

    /// <summary>Completes at the next change after it was read. Read it before looking at the file, so no change is lost.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Raised (on the watcher's thread) when <c>job-output.txt.done</c> is created or renamed into place.</summary>
    public event Action? MarkerAppeared;

    public void Start(string directory)
    {
        var watcher = new FileSystemWatcher(directory)
        {
            NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size,
            IncludeSubdirectories = false,
            InternalBufferSize = 64 * 1024,
        };
        FileSystemEventHandler handler = (_, _) => Signal();
        watcher.Changed += handler;
        watcher.Created += (_, e) => OnMarkerCandidate(e.Name);
        watcher.Deleted += handler;
        watcher.Renamed += (_, e) => OnMarkerCandidate(e.Name);
        watcher.Error += (_, _) => Signal();
        watcher.EnableRaisingEvents = true;
        _watcher = watcher;
    }

    /// <summary>Wakes every reader waiting on <see cref="Changed"/>.</summary>
    public void Signal() => Interlocked.Exchange(ref _changed, NewSignal()).TrySetResult();

    private void OnMarkerCandidate(string? name)
    {
        Signal();
        if (string.Equals(name, JobDirectory.LogFileName + JobDirectory.DoneSuffix, StringComparison.Ordinal))
        {
            MarkerAppeared?.Invoke();
        }
    }

    public void Dispose()
    {
        _watcher?.Dispose();
        _watcher = null;
        Signal();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
