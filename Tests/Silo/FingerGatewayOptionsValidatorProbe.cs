using Orleans.Zuul.Silo;

namespace Orleans.Zuul.Tests.Silo;

/// <summary>Calls the internal validator through the public options surface.</summary>
internal sealed class FingerGatewayOptionsValidatorProbe
{
    public IReadOnlyList<string> Validate(FingerGatewayOptions options) => FingerGatewayValidation.Validate(options);
}
