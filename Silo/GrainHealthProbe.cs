using Zuul.LiveLog.Grains;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Silo;

/// <summary>The silo's <c>/healthz</c> probe: a call to this silo's own <see cref="IHealthProbeGrain"/>, which reads grain storage.</summary>
internal sealed class GrainHealthProbe(IGrainFactory grains, ILocalSiloDetails silo) : IHealthProbe
{
    public Task ProbeAsync() => grains.GetGrain<IHealthProbeGrain>(silo.SiloAddress.ToParsableString()).ProbeAsync();
}
