using System.Net;
using Orleans.Runtime;
using Zuul.LiveLog.Tests.Infrastructure;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Tests.ZooKeeperOrleans;

/// <summary>
/// The scenarios Orleans' MembershipTableTestsBase checks for every membership table, against a real ZooKeeper,
/// each on a fresh cluster id (and chroot).
/// </summary>
[Collection(ZooKeeperOrleansCollection.Name)]
public sealed class MembershipTableContractTests(ZooKeeperFixture fixture) : IAsyncLifetime
{
    private static int _generation = 1000;
    private Providers _providers = null!;
    private ZooKeeperMembershipTable _table = null!;

    public async Task InitializeAsync()
    {
        _providers = new Providers(await fixture.NewChrootAsync(), "cluster-" + Guid.NewGuid().ToString("N")[..8]);
        _table = _providers.Table;
        await _table.InitializeMembershipTable(tryInitTableVersion: true);
    }

    public async Task DisposeAsync() => await _providers.DisposeAsync();

    [Fact]
    public async Task GetGatewaysListsTheActiveSilosGatewayEndpoints()
    {
        var active = new List<MembershipEntry>();
        foreach (var status in new[] { SiloStatus.Active, SiloStatus.Active, SiloStatus.Joining, SiloStatus.Dead, SiloStatus.ShuttingDown })
        {
            var entry = NewEntry(status);
            Assert.True(await _table.InsertRow(entry, (await _table.ReadAll()).Version.Next()));
            if (status == SiloStatus.Active)
            {
                active.Add(entry);
            }
        }

        var gateways = await _providers.Gateways.GetGateways();
        var expected = active.Select(e => SiloAddress.New(e.SiloAddress.Endpoint.Address, e.ProxyPort, e.SiloAddress.Generation).ToGatewayUri()).OrderBy(u => u.ToString()).ToList();
        Assert.Equal(expected, gateways.OrderBy(u => u.ToString()).ToList());
    }

    [Fact]
    public async Task ReadAllOnAnEmptyTableGivesNoMembersAndAVersion()
    {
        var data = await _table.ReadAll();
        Assert.Empty(data.Members);
        Assert.NotNull(data.Version.VersionEtag);
        Assert.Equal(0, data.Version.Version);
    }

    [Fact]
    public async Task InsertRowOnceOnly()
    {
        var data = await _table.ReadAll();
        var entry = NewEntry(SiloStatus.Joining);
        var next = data.Version.Next();
        Assert.True(await _table.InsertRow(entry, next));
        Assert.False(await _table.InsertRow(entry, next)); // stale table version
        data = await _table.ReadAll();
        Assert.False(await _table.InsertRow(entry, data.Version.Next())); // exists already
        Assert.Single(data.Members);
        Assert.Equal(1, data.Version.Version);
        AssertSameEntry(entry, data.Members[0].Item1);
    }

    [Fact]
    public async Task ReadRowAfterInsert()
    {
        var data = await _table.ReadAll();
        var entry = NewEntry(SiloStatus.Joining);
        Assert.True(await _table.InsertRow(entry, data.Version.Next()));
        var row = await _table.ReadRow(entry.SiloAddress);
        var (read, etag) = Assert.Single(row.Members);
        AssertSameEntry(entry, read);
        Assert.NotNull(etag);
        Assert.Equal(1, row.Version.Version);

        var other = await _table.ReadRow(NewEntry(SiloStatus.Joining).SiloAddress);
        Assert.Empty(other.Members);
        Assert.Equal(1, other.Version.Version);
    }

    [Fact]
    public async Task ReadAllAfterInserts()
    {
        var entries = Enumerable.Range(0, 3).Select(_ => NewEntry(SiloStatus.Joining)).ToList();
        foreach (var entry in entries)
        {
            // The table version's ETag is the one read: each insert needs a fresh read.
            var version = (await _table.ReadAll()).Version;
            Assert.False(await _table.InsertRow(entry, new TableVersion(version.Version + 1, (int.Parse(version.VersionEtag, System.Globalization.CultureInfo.InvariantCulture) + 1).ToString(System.Globalization.CultureInfo.InvariantCulture))));
            Assert.True(await _table.InsertRow(entry, version.Next()));
        }

        var data = await _table.ReadAll();
        Assert.Equal(3, data.Version.Version);
        Assert.Equal(entries.Select(e => e.SiloAddress).OrderBy(a => a.ToString()), data.Members.Select(m => m.Item1.SiloAddress).OrderBy(a => a.ToString()));
    }

    [Fact]
    public async Task UpdateRowNeedsTheCurrentEtagAndTableVersion()
    {
        var data = await _table.ReadAll();
        var entry = NewEntry(SiloStatus.Joining);
        Assert.True(await _table.InsertRow(entry, data.Version.Next()));
        for (var i = 0; i < 3; i++)
        {
            data = await _table.ReadAll();
            var (current, etag) = Assert.Single(data.Members);
            current.Status = SiloStatus.Active;
            current.SuspectTimes = [Tuple.Create(NewEntry(SiloStatus.Active).SiloAddress, DateTime.UtcNow)];
            Assert.True(await _table.UpdateRow(current, etag, data.Version.Next()));

            // The same read is stale now, by row ETag and by table version.
            Assert.False(await _table.UpdateRow(current, etag, data.Version.Next().Next()));
            var after = await _table.ReadAll();
            Assert.False(await _table.UpdateRow(current, after.Members[0].Item2, data.Version.Next()));
            Assert.Equal(SiloStatus.Active, after.Members[0].Item1.Status);
            Assert.Single(after.Members[0].Item1.SuspectTimes!);
            Assert.Equal(data.Version.Version + 1, after.Version.Version);
        }

        Assert.False(await _table.UpdateRow(NewEntry(SiloStatus.Active), "0", (await _table.ReadAll()).Version.Next())); // no such row
    }

    [Fact]
    public async Task ParallelUpdatesEachWinExactlyOnce()
    {
        var data = await _table.ReadAll();
        var entry = NewEntry(SiloStatus.Joining);
        Assert.True(await _table.InsertRow(entry, data.Version.Next()));
        const int Writers = 8;
        const int UpdatesEach = 3;
        var wins = 0;
        await Task.WhenAll(Enumerable.Range(0, Writers).Select(async _ =>
        {
            for (var done = 0; done < UpdatesEach;)
            {
                var current = await _table.ReadAll();
                var (row, etag) = Assert.Single(current.Members);
                row.Status = SiloStatus.Active;
                if (await _table.UpdateRow(row, etag, current.Version.Next()))
                {
                    Interlocked.Increment(ref wins);
                    done++;
                }
            }
        }));

        var final = await _table.ReadAll();
        Assert.Equal(Writers * UpdatesEach, wins);
        Assert.Equal(1 + (Writers * UpdatesEach), final.Version.Version);
    }

    [Fact]
    public async Task UpdateIAmAliveChangesOnlyTheAliveTime()
    {
        var data = await _table.ReadAll();
        var entry = NewEntry(SiloStatus.Active);
        Assert.True(await _table.InsertRow(entry, data.Version.Next()));
        var before = await _table.ReadRow(entry.SiloAddress);
        var alive = DateTime.UtcNow.AddMinutes(5);
        alive = new DateTime(alive.Ticks - (alive.Ticks % TimeSpan.TicksPerMillisecond), DateTimeKind.Utc);
        var update = before.Members[0].Item1;
        update.IAmAliveTime = alive;
        update.Status = SiloStatus.Dead; // not written by UpdateIAmAlive
        await _table.UpdateIAmAlive(update);

        var after = await _table.ReadRow(entry.SiloAddress);
        var (row, etag) = Assert.Single(after.Members);
        Assert.Equal(alive, row.IAmAliveTime.ToUniversalTime());
        Assert.Equal(SiloStatus.Active, row.Status);
        Assert.Equal(before.Members[0].Item2, etag);
        Assert.Equal(before.Version, after.Version);
    }

    [Fact]
    public async Task CleanupDefunctSiloEntriesRemovesOldInactiveRowsOnly()
    {
        var old = NewEntry(SiloStatus.Dead);
        old.IAmAliveTime = old.IAmAliveTime.AddDays(-10);
        old.StartTime = old.StartTime.AddDays(-10);
        var oldActive = NewEntry(SiloStatus.Active);
        oldActive.IAmAliveTime = oldActive.IAmAliveTime.AddDays(-10);
        var recent = NewEntry(SiloStatus.Dead);
        foreach (var e in new[] { old, oldActive, recent })
        {
            Assert.True(await _table.InsertRow(e, (await _table.ReadAll()).Version.Next()));
        }

        await _table.CleanupDefunctSiloEntries(DateTimeOffset.UtcNow.AddDays(-3));
        var data = await _table.ReadAll();
        Assert.Equal(
            new[] { oldActive.SiloAddress, recent.SiloAddress }.OrderBy(a => a.ToString()),
            data.Members.Select(m => m.Item1.SiloAddress).OrderBy(a => a.ToString()));
    }

    [Fact]
    public async Task DeleteMembershipTableEntriesRemovesTheCluster()
    {
        var data = await _table.ReadAll();
        Assert.True(await _table.InsertRow(NewEntry(SiloStatus.Active), data.Version.Next()));
        await _table.DeleteMembershipTableEntries(_providers.ClusterId);
        data = await _table.ReadAll();
        Assert.Empty(data.Members);
        await _table.InitializeMembershipTable(true);
        data = await _table.ReadAll();
        Assert.True(await _table.InsertRow(NewEntry(SiloStatus.Active), data.Version.Next()));
    }

    internal static MembershipEntry NewEntry(SiloStatus status)
    {
        var generation = Interlocked.Increment(ref _generation);
        var now = DateTime.UtcNow;
        return new MembershipEntry
        {
            SiloAddress = SiloAddress.New(new IPEndPoint(IPAddress.Loopback, 12000 + (generation % 1000)), generation),
            HostName = "host-" + generation,
            SiloName = "silo-" + generation,
            Status = status,
            ProxyPort = 30000 + (generation % 1000),
            RoleName = "role",
            UpdateZone = 0,
            FaultZone = 0,
            StartTime = now,
            IAmAliveTime = now,
            SuspectTimes = [],
        };
    }

    private static void AssertSameEntry(MembershipEntry expected, MembershipEntry actual)
    {
        Assert.Equal(expected.SiloAddress, actual.SiloAddress);
        Assert.Equal(expected.Status, actual.Status);
        Assert.Equal(expected.ProxyPort, actual.ProxyPort);
        Assert.Equal(expected.HostName, actual.HostName);
        Assert.Equal(expected.SiloName, actual.SiloName);
        Assert.Equal(expected.StartTime, actual.StartTime);
    }
}
