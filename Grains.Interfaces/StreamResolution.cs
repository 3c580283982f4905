namespace Zuul.LiveLog.Grains;

/// <summary>How a resolution ended: a place to connect to, or the reason there is none.</summary>
[GenerateSerializer, Alias("Orleans.Zuul.StreamResolutionKind")]
public enum StreamResolutionKind
{
    /// <summary>Connect to the executor itself (un-zoned, or same zone as the asker).</summary>
    Executor = 0,

    /// <summary>Connect to a finger gateway of the build's zone.</summary>
    Gateway = 1,

    /// <summary>The build's zone has no live gateway; the executor's own address is tried (Zuul's fallback).</summary>
    ExecutorFallback = 2,

    BuildNotFound = 3,
    BuildNotStarted = 4,
}

/// <summary>One answer of <see cref="IBuildGrain.ResolveStreamAddressAsync"/>.</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.StreamResolution")]
public sealed record StreamResolution(
    [property: Id(0)] StreamResolutionKind Kind,
    [property: Id(1)] string? Host,
    [property: Id(2)] int Port,
    [property: Id(3)] bool Tls,
    [property: Id(4)] string? BuildZone,
    [property: Id(5)] IReadOnlyList<GatewayEndpoint> Alternatives)
{
    public bool Found => Kind is StreamResolutionKind.Executor or StreamResolutionKind.Gateway or StreamResolutionKind.ExecutorFallback;

    public static StreamResolution NotFound { get; } = new(StreamResolutionKind.BuildNotFound, null, 0, false, null, []);
}
