using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace Zuul.LiveLog.WebFrontend.Security;

/// <summary>
/// The public listener (<c>Urls</c>) and the admin listener (<c>Web:AdminUrls</c>). Kestrel binds either URLs or
/// endpoints configured in code, not both, so with an admin listener every URL is bound here; connections accepted on
/// an admin URL are marked, and <see cref="IsAdminConnection"/> tells the request pipeline.
/// </summary>
public static class Listeners
{
    /// <summary>ASP.NET Core's default when no URL is configured.</summary>
    public const string DefaultUrls = "http://localhost:5000";

    /// <summary>The authentication type of the principal every request on the admin listener gets (an admin).</summary>
    public const string AdminAuthenticationType = "zuul-admin-listener";

    private const string AdminItem = "zuul.admin-listener";

    public static IEnumerable<string> Split(string urls) => urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    /// <summary>Parses an <c>http://host:port</c> URL; returns the problem, or null.</summary>
    public static string? TryParse(string url, out BindingAddress? address)
    {
        address = null;
        try
        {
            address = BindingAddress.Parse(url);
        }
        catch (FormatException)
        {
            return "not a URL like http://127.0.0.1:9001";
        }

        if (address.IsUnixPipe || address.IsNamedPipe)
        {
            return "pipes are not supported here";
        }

        if (address.Scheme != "http" && address.Scheme != "https")
        {
            return "the scheme must be http or https";
        }

        return address.Host == "localhost" && address.Port == 0 ? "localhost needs an explicit port (or use 127.0.0.1:0)" : null;
    }

    /// <summary>Binds the public and the admin URLs (called only when <c>Web:AdminUrls</c> is set).</summary>
    public static void Bind(KestrelServerOptions kestrel, string publicUrls, string adminUrls)
    {
        foreach (var url in Split(publicUrls))
        {
            Listen(kestrel, url, admin: false);
        }

        foreach (var url in Split(adminUrls))
        {
            Listen(kestrel, url, admin: true);
        }
    }

    public static bool IsAdminConnection(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.ContainsKey(AdminItem) == true;

    private static void Listen(KestrelServerOptions kestrel, string url, bool admin)
    {
        TryParse(url, out var address);
        Action<ListenOptions> configure = o =>
        {
            if (address!.Scheme == "https")
            {
                o.UseHttps();
            }

            if (admin)
            {
                o.Use(next => connection =>
                {
                    connection.Items[AdminItem] = true;
                    return next(connection);
                });
            }
        };
        switch (address!.Host)
        {
            case "localhost":
                kestrel.ListenLocalhost(address.Port, configure);
                break;
            case var host when IPAddress.TryParse(host.Trim('[', ']'), out var ip):
                kestrel.Listen(ip, address.Port, configure);
                break;
            default:
                // "*", "+" and host names: every address, as Kestrel does for URLs.
                kestrel.ListenAnyIP(address.Port, configure);
                break;
        }
    }
}
