using Zuul.LiveLog.Silo;

namespace Zuul.LiveLog.Tests.Silo;

public class FingerGatewayOptionsValidatorTests
{
    [Fact]
    public void DefaultsAreValid()
    {
        var result = FingerGatewayValidation.Validate(new FingerGatewayOptions());
        Assert.Empty(result);
    }

    [Fact]
    public void EveryProblemIsReported()
    {
        var options = new FingerGatewayOptions
        {
            ListenAddress = "not-an-ip",
            Port = -1,
            PublicPort = 0,
            Hostname = "bad host name",
            RequestTimeout = TimeSpan.Zero,
            ConnectTimeout = TimeSpan.FromSeconds(-1),
        };
        var errors = FingerGatewayValidation.Validate(options);
        Assert.Equal(6, errors.Count);
    }

    [Fact]
    public void SiloRefusesToStartWithBadSettings()
    {
        var ex = Assert.Throws<Zuul.LiveLog.Hosting.OptionsStartupException>(() =>
            SiloApp.Build(["--FingerGateway:Port", "99999", "--Orleans:SiloPort", "x"]));
        Assert.Contains("FingerGateway:Port", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Orleans:SiloPort", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SiloRefusesABadHealthListenerWithEveryProblemNamed()
    {
        var ex = Assert.Throws<Zuul.LiveLog.Hosting.OptionsStartupException>(() =>
            SiloApp.Build(["--Health:Port", "0", "--Health:ListenAddress", "not-an-ip", "--Orleans:AdvertisedAddress", "nowhere"]));
        Assert.Contains("Health:Port must be 1..65535 (got '0')", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Health:ListenAddress 'not-an-ip' is not an IP address.", ex.Message, StringComparison.Ordinal);
        Assert.Contains("Orleans:AdvertisedAddress must be an IP address (got 'nowhere')", ex.Message, StringComparison.Ordinal);
    }
}
