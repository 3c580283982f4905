namespace Zuul.LiveLog.Grains;

/// <summary>Reads its (never written) record from the build storage on every probe: ZooKeeper must answer.</summary>
[Orleans.Placement.PreferLocalPlacement]
internal sealed class HealthProbeGrain(
    [PersistentState("probe", StorageNames.Builds)] IPersistentState<HealthProbeRecord> record) : Grain, IHealthProbeGrain
{
    public Task ProbeAsync() => record.ReadStateAsync();
}

/// <summary>The probe's state: never written, so nothing is stored.</summary>
[GenerateSerializer, Alias("Orleans.Zuul.HealthProbeRecord")]
public sealed class HealthProbeRecord;
