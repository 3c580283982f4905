using System.Text.Json;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>A build as the web frontend's tenant API lists it.</summary>
internal sealed record ListedBuild(string Uuid, string? Zone, string Tenant);

/// <summary>Every tenant's builds, read the way a user finds them: <c>/api/tenants</c>, then each tenant's list.</summary>
internal static class TenantBuilds
{
    /// <summary>
    /// Every listed build of every tenant (only those in <paramref name="state"/> when given), or null while the
    /// frontend answers any of the requests with an error (it may still be starting).
    /// </summary>
    public static async Task<List<ListedBuild>?> ListAsync(HttpClient http, string? state = null)
    {
        using var tenants = await http.GetAsync("/api/tenants");
        if (!tenants.IsSuccessStatusCode)
        {
            return null;
        }

        List<ListedBuild> found = [];
        using var names = JsonDocument.Parse(await tenants.Content.ReadAsStringAsync());
        foreach (var tenant in names.RootElement.EnumerateArray().Select(t => t.GetProperty("name").GetString()!))
        {
            var query = state is null ? string.Empty : "?state=" + Uri.EscapeDataString(state);
            using var response = await http.GetAsync($"/api/tenant/{Uri.EscapeDataString(tenant)}/builds{query}");
            if (!response.IsSuccessStatusCode)
            {
                return null;
            }

            using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            found.AddRange(json.RootElement.EnumerateArray()
                .Select(b => new ListedBuild(b.GetProperty("uuid").GetString()!, b.GetProperty("zone").GetString(), tenant)));
        }

        return found;
    }
}
