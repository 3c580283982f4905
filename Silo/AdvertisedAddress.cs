using System.Net;

namespace Zuul.LiveLog.Silo;

/// <summary><c>Orleans:AdvertisedAddress</c>: the IP other silos and clients reach this silo at (ZooKeeper clustering).</summary>
internal static class AdvertisedAddress
{
    /// <summary>The address, or null when unset; a value that is not an IP address is added to <paramref name="errors"/>.</summary>
    public static IPAddress? Read(IConfiguration configuration, ICollection<string> errors)
    {
        if (configuration["Orleans:AdvertisedAddress"] is not { Length: > 0 } text)
        {
            return null;
        }

        if (IPAddress.TryParse(text, out var address))
        {
            return address;
        }

        errors.Add($"Orleans:AdvertisedAddress must be an IP address (got '{text}').");
        return null;
    }
}
