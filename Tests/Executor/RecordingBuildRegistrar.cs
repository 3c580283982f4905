using System.Collections.Concurrent;
using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Tests.Executor;

/// <summary>A fake <see cref="IBuildRegistrar"/> that records what the job sources report.</summary>
internal sealed class RecordingBuildRegistrar : IBuildRegistrar
{
    public ConcurrentDictionary<string, BuildStart> Started { get; } = new();

    public ConcurrentDictionary<string, BuildFinish> Finished { get; } = new();

    /// <summary>Every call in order, e.g. "start:&lt;id&gt;".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    public Task StartedAsync(string uuid, BuildStart start, CancellationToken cancellationToken)
    {
        Calls.Enqueue("start:" + uuid);
        Started[uuid] = start;
        return Task.CompletedTask;
    }

    public Task FinishedAsync(string uuid, BuildFinish finish, CancellationToken cancellationToken)
    {
        Calls.Enqueue("finish:" + uuid);
        Finished[uuid] = finish;
        return Task.CompletedTask;
    }
}
