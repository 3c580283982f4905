using System.Collections.Concurrent;
using Zuul.LiveLog.Executor;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Tests.Executor;

/// <summary>A fake <see cref="IBuildRegistrar"/> that records what the job sources report.</summary>
internal sealed class RecordingBuildRegistrar : IBuildRegistrar
{
    private readonly SemaphoreSlim _open = new(int.MaxValue);

    /// <summary>The latest start of each build reported (every report carries one).</summary>
    public ConcurrentDictionary<string, BuildStart> Started { get; } = new();

    public ConcurrentDictionary<string, BuildFinish> Finished { get; } = new();

    /// <summary>Every report in order: "start:&lt;id&gt;" (running) or "finish:&lt;id&gt;".</summary>
    public ConcurrentQueue<string> Calls { get; } = new();

    /// <summary>Reports wait while this is set (a cluster that does not answer).</summary>
    public TaskCompletionSource? Blocked { get; set; }

    public async Task ReportAsync(string uuid, BuildStart start, BuildFinish? finish, CancellationToken cancellationToken)
    {
        if (Blocked is { } blocked)
        {
            await blocked.Task.WaitAsync(cancellationToken);
        }

        await _open.WaitAsync(cancellationToken);
        // Finished before Started: a reader that sees a build started and not finished never sees a finished one.
        if (finish is not null)
        {
            Finished[uuid] = finish;
        }

        Started[uuid] = start;
        Calls.Enqueue((finish is null ? "start:" : "finish:") + uuid);
    }
}
