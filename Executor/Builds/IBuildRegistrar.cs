using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Executor;

/// <summary>Tells the cluster about the builds this executor runs. Calls for one build come in order (start, then finish).</summary>
public interface IBuildRegistrar
{
    /// <summary>The build <paramref name="uuid"/> (32 lowercase hex) has started on this executor.</summary>
    Task StartedAsync(string uuid, BuildStart start, CancellationToken cancellationToken);

    /// <summary>The build <paramref name="uuid"/> has finished.</summary>
    Task FinishedAsync(string uuid, BuildFinish finish, CancellationToken cancellationToken);
}
