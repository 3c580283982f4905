using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Executor;

/// <summary>Tells the cluster about the builds this executor runs, one report of a build's latest state at a time.</summary>
public interface IBuildRegistrar
{
    /// <summary>
    /// The build <paramref name="uuid"/> (32 lowercase hex) runs on this executor (<paramref name="finish"/> null) or has
    /// finished. Returns once the cluster has it or refused it for good; throws for a permanent failure.
    /// </summary>
    Task ReportAsync(string uuid, BuildStart start, BuildFinish? finish, CancellationToken cancellationToken);
}
