namespace Zuul.LiveLog.Grains;

/// <summary>The list of running and recently finished builds (one activation, key 0), fed by build grains.</summary>
[Alias("Orleans.Zuul.IBuildDirectoryGrain")]
public interface IBuildDirectoryGrain : IGrainWithIntegerKey
{
    [Alias("Update")]
    Task UpdateAsync(BuildInfo build);

    [Alias("List")]
    Task<IReadOnlyList<BuildInfo>> ListAsync();
}
