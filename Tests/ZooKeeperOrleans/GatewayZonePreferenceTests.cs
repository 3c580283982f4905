using Orleans.Runtime;
using Zuul.LiveLog.Tests.Infrastructure;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>Clients with a zone get the gateways of their zone's silos when there are any, else all of them.</summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class GatewayZonePreferenceTests(ZooKeeperFixture fixture)
{
    [Fact]
    public async Task ClientsPreferGatewaysInTheirZone()
    {
        var chroot = await fixture.NewChrootAsync();
        var cluster = "zones-" + Guid.NewGuid().ToString("N")[..8];
        await using var siloInZone1 = new Providers(chroot, cluster, zone: "zone1");
        await using var siloInZone2 = new Providers(chroot, cluster, zone: "zone2");
        await siloInZone1.Table.InitializeMembershipTable(true);
        var one = MembershipTableContractTests.NewEntry(SiloStatus.Active);
        var two = MembershipTableContractTests.NewEntry(SiloStatus.Active);
        Assert.True(await siloInZone1.Table.InsertRow(one, (await siloInZone1.Table.ReadAll()).Version.Next()));
        Assert.True(await siloInZone2.Table.InsertRow(two, (await siloInZone2.Table.ReadAll()).Version.Next()));

        static Uri Gateway(MembershipEntry e) => SiloAddress.New(e.SiloAddress.Endpoint.Address, e.ProxyPort, e.SiloAddress.Generation).ToGatewayUri();
        async Task<List<Uri>> GatewaysOfAsync(string? zone)
        {
            await using var client = new Providers(chroot, cluster, zone: zone);
            return [.. (await client.Gateways.GetGateways()).OrderBy(u => u.ToString())];
        }

        Assert.Equal([Gateway(one)], await GatewaysOfAsync("zone1"));
        Assert.Equal([Gateway(two)], await GatewaysOfAsync("zone2"));
        var all = new[] { Gateway(one), Gateway(two) }.OrderBy(u => u.ToString()).ToList();
        Assert.Equal(all, await GatewaysOfAsync("zone3"));
        Assert.Equal(all, await GatewaysOfAsync(null));
    }
}
