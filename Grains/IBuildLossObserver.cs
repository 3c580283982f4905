namespace Zuul.LiveLog.Grains;

/// <summary>Told when a build becomes lost (the silo counts them per zone in its metrics); optional.</summary>
public interface IBuildLossObserver
{
    void Lost(string? zone);
}
