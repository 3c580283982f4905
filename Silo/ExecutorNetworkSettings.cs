using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Silo;

/// <summary>Reads <c>Zones:&lt;zone&gt;:ExecutorNetworks:&lt;n&gt;</c> and <c>Builds:ExecutorNetworks:&lt;n&gt;</c> (CIDR lists) into the policy.</summary>
internal static class ExecutorNetworkSettings
{
    public static ExecutorNetworkPolicy Read(IConfiguration configuration, List<string> errors)
    {
        var zones = configuration.GetSection("Zones").GetChildren()
            .ToDictionary(z => z.Key, z => (IReadOnlyList<string>)Values(z.GetSection("ExecutorNetworks")), StringComparer.Ordinal);
        return ExecutorNetworkPolicy.Parse(zones, Values(configuration.GetSection("Builds:ExecutorNetworks")), errors);
    }

    private static List<string> Values(IConfigurationSection section) =>
        [.. section.GetChildren().Select(c => c.Value ?? string.Empty)];
}
