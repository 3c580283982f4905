namespace Zuul.LiveLog.Grains;

[GenerateSerializer, Alias("Orleans.Zuul.GatewayState")]
public enum GatewayState
{
    Initializing = 0,
    Running = 1,
    Draining = 2,
    Stopped = 3,
}
