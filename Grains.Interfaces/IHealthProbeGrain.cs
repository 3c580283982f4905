namespace Zuul.LiveLog.Grains;

/// <summary>
/// What a silo's <c>/healthz</c> asks (key: the silo's address, so the activation is local): a grain call that reads
/// grain storage, so "healthy" means grain calls work, not only that connections are up.
/// </summary>
[Alias("Orleans.Zuul.IHealthProbeGrain")]
public interface IHealthProbeGrain : IGrainWithStringKey
{
    [Alias("Probe")]
    Task ProbeAsync();
}
