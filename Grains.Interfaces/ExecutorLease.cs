namespace Zuul.LiveLog.Grains;

/// <summary>
/// An executor's liveness lease without ZooKeeper (<see cref="IExecutorLeaseGrain"/>), renewed every third of
/// <see cref="Duration"/>, with the builds it runs: when it lapses those builds become <see cref="BuildState.Lost"/>.
/// </summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.ExecutorLease")]
public sealed record ExecutorLease(
    [property: Id(0)] string? Zone,
    [property: Id(1)] string Hostname,
    [property: Id(2)] int LogPort,
    [property: Id(3)] TimeSpan Duration,
    [property: Id(4)] IReadOnlyList<string> RunningBuilds)
{
    /// <summary>The lease grain's key: one lease per executor address.</summary>
    public static string KeyOf(string hostname, int logPort) =>
        $"{hostname}:{logPort.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
