namespace Zuul.LiveLog.Grains;

[GenerateSerializer, Alias("Orleans.Zuul.BuildState")]
public enum BuildState
{
    Unknown = 0,
    Running = 1,
    Finished = 2,
}
