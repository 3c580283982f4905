namespace Zuul.LiveLog.Grains;

/// <summary>A finger gateway as registered for a zone (PROTOCOL.md section 5).</summary>
[GenerateSerializer, Immutable, Alias("Orleans.Zuul.GatewayEndpoint")]
public sealed record GatewayEndpoint(
    [property: Id(0)] string Hostname,
    [property: Id(1)] int Port,
    [property: Id(2)] bool Tls,
    [property: Id(3)] string? Zone,
    [property: Id(4)] GatewayState State);
