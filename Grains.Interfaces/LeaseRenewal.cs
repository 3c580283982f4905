namespace Zuul.LiveLog.Grains;

/// <summary>
/// What a renewal of an executor's lease found: whether the lease was taken anew (not held before: first renewal, or
/// after a lapse or the loss of its activation), and which of the builds the executor named the cluster has no record of
/// (e.g. lost with a silo's memory storage while the lease lived on). The executor reports those builds again.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.LeaseRenewal")]
public sealed record LeaseRenewal(
    [property: Id(0)] bool Taken,
    [property: Id(1)] IReadOnlyList<string> Unrecorded);
