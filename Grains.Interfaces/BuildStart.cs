namespace Zuul.LiveLog.Grains;

/// <summary>What an executor reports when a build starts on it. <see cref="Tenant"/> is Zuul's tenant (the job's <c>zuul.tenant</c>).</summary>
/// <param name="Leased">
/// The executor holds a liveness lease (README "Executor liveness"): when it lapses the build becomes
/// <see cref="BuildState.Lost"/>. False for registrations by anything else, which are never marked lost.
/// </param>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.BuildStart")]
public sealed record BuildStart(
    [property: Id(0)] string? Zone,
    [property: Id(1)] string ExecutorHostname,
    [property: Id(2)] int LogPort,
    [property: Id(3)] string? JobName,
    [property: Id(4)] DateTimeOffset StartedAt,
    [property: Id(5)] bool Leased = false,
    [property: Id(6)] string? Tenant = null);
