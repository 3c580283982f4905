namespace Zuul.LiveLog.Grains;

[GenerateSerializer, Alias("Orleans.Zuul.BuildState")]
public enum BuildState
{
    Unknown = 0,
    Running = 1,
    Finished = 2,

    /// <summary>
    /// Was running on an executor whose liveness lease lapsed (killed, cut off): nobody knows whether it still runs.
    /// Running again when its executor comes back and reports it; finished when it reports its end.
    /// </summary>
    Lost = 3,
}
