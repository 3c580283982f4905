using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Serialization;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// Orleans' membership table in ZooKeeper. <c>/clusters/&lt;id&gt;</c>'s version is the table version; each silo is a
/// child whose version is its row ETag, with an <c>iamalive</c> child written without a version check (and an optional
/// <c>zone</c> child). Insert and update are one multi that also bumps the cluster node with the caller's version, so a
/// stale table version or row ETag fails the whole change (false); node-exists / no-node / bad-version mean false.
/// </summary>
public sealed partial class ZooKeeperMembershipTable(
    ZooKeeperConnection connection,
    Serializer serializer,
    IOptions<ClusterOptions> clusterOptions,
    IOptions<ZooKeeperClusteringOptions> options,
    ILogger<ZooKeeperMembershipTable> logger) : IMembershipTable
{
    private readonly string _clusterId = clusterOptions.Value.ClusterId;
    private string ClusterPath => ZooKeeperPaths.Cluster(_clusterId);

    public async Task InitializeMembershipTable(bool tryInitTableVersion)
    {
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        await client.EnsurePathAsync(ClusterPath).ConfigureAwait(false);
        LogInformationInitialized(logger, ClusterPath);
    }

    public async Task DeleteMembershipTableEntries(string clusterId)
    {
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        await client.DeleteRecursiveAsync(ZooKeeperPaths.Cluster(clusterId)).ConfigureAwait(false);
    }

    public async Task CleanupDefunctSiloEntries(DateTimeOffset beforeDate)
    {
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        var data = await ReadAll().ConfigureAwait(false);
        foreach (var (entry, _) in data.Members)
        {
            if (entry.Status != SiloStatus.Active && new DateTimeOffset(entry.IAmAliveTime) < beforeDate)
            {
                var silo = entry.SiloAddress.ToParsableString();
                try
                {
                    await client.DeleteRecursiveAsync(ZooKeeperPaths.Silo(_clusterId, silo)).ConfigureAwait(false);
                    LogInformationDefunctRemoved(logger, silo, entry.Status);
                }
                catch (NotEmptyException)
                {
                    // Someone wrote under it while we deleted; the next cleanup gets it.
                }
            }
        }
    }

    public async Task<MembershipTableData> ReadRow(SiloAddress key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        var version = await ReadTableVersionAsync(client).ConfigureAwait(false);
        var row = await ReadEntryAsync(client, key.ToParsableString()).ConfigureAwait(false);
        return new MembershipTableData(row is { } r ? [r] : [], version);
    }

    public async Task<MembershipTableData> ReadAll()
    {
        var client = await connection.GetClientAsync().ConfigureAwait(false);

        // The version first: rows read later are at least as new, so a write based on this read fails rather than
        // overwriting a change this read did not see.
        var version = await ReadTableVersionAsync(client).ConfigureAwait(false);
        IReadOnlyList<string> children;
        try
        {
            children = (await client.GetChildrenAsync(ClusterPath).ConfigureAwait(false)).Children;
        }
        catch (NoNodeException)
        {
            children = [];
        }

        var rows = await Task.WhenAll(children.Select(c => ReadEntryAsync(client, Uri.UnescapeDataString(c)))).ConfigureAwait(false);
        return new MembershipTableData(rows.OfType<Tuple<MembershipEntry, string>>().ToList(), version);
    }

    public async Task<bool> InsertRow(MembershipEntry entry, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var silo = entry.SiloAddress.ToParsableString();
        var ops = new List<Op>
        {
            Op.SetData(ClusterPath, default, ParseEtag(tableVersion.VersionEtag)),
            Op.Create(ZooKeeperPaths.Silo(_clusterId, silo), serializer.SerializeToArray(entry)),
            Op.Create(ZooKeeperPaths.IAmAlive(_clusterId, silo), IAmAliveBytes(entry.IAmAliveTime)),
        };
        if (options.Value.Zone is { } zone)
        {
            ops.Add(Op.Create(ZooKeeperPaths.Zone(_clusterId, silo), Encoding.UTF8.GetBytes(zone)));
        }

        return await TryMultiAsync(ops, "insert", silo).ConfigureAwait(false);
    }

    public Task<bool> UpdateRow(MembershipEntry entry, string etag, TableVersion tableVersion)
    {
        ArgumentNullException.ThrowIfNull(entry);
        ArgumentNullException.ThrowIfNull(tableVersion);
        var silo = entry.SiloAddress.ToParsableString();
        return TryMultiAsync(
        [
            Op.SetData(ClusterPath, default, ParseEtag(tableVersion.VersionEtag)),
            Op.SetData(ZooKeeperPaths.Silo(_clusterId, silo), serializer.SerializeToArray(entry), ParseEtag(etag)),
            Op.SetData(ZooKeeperPaths.IAmAlive(_clusterId, silo), IAmAliveBytes(entry.IAmAliveTime)),
        ], "update", silo);
    }

    public async Task UpdateIAmAlive(MembershipEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        await client.SetDataAsync(ZooKeeperPaths.IAmAlive(_clusterId, entry.SiloAddress.ToParsableString()), IAmAliveBytes(entry.IAmAliveTime)).ConfigureAwait(false);
    }

    private async Task<bool> TryMultiAsync(List<Op> ops, string what, string silo)
    {
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        try
        {
            await client.MultiAsync(ops).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is NodeExistsException or NoNodeException or BadVersionException)
        {
            LogDebugConflict(logger, what, silo, ((ZooKeeperException)ex).Code);
            return false;
        }
    }

    private async Task<TableVersion> ReadTableVersionAsync(ZooKeeperClient client)
    {
        var stat = await client.ExistsAsync(ClusterPath).ConfigureAwait(false);
        var version = stat?.Version ?? 0;
        return new TableVersion(version, version.ToString(CultureInfo.InvariantCulture));
    }

    private async Task<Tuple<MembershipEntry, string>?> ReadEntryAsync(ZooKeeperClient client, string silo)
    {
        try
        {
            var row = await client.GetDataAsync(ZooKeeperPaths.Silo(_clusterId, silo)).ConfigureAwait(false);
            var entry = serializer.Deserialize<MembershipEntry>(row.Data) ?? throw new InvalidDataException($"Empty membership row for {silo}");
            try
            {
                var alive = await client.GetDataAsync(ZooKeeperPaths.IAmAlive(_clusterId, silo)).ConfigureAwait(false);
                if (DateTime.TryParse(Encoding.UTF8.GetString(alive.Data), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var time) && time > entry.IAmAliveTime)
                {
                    entry.IAmAliveTime = time;
                }
            }
            catch (NoNodeException)
            {
            }

            return Tuple.Create(entry, row.Stat.Version.ToString(CultureInfo.InvariantCulture));
        }
        catch (NoNodeException)
        {
            return null; // removed between listing and reading
        }
    }

    private static byte[] IAmAliveBytes(DateTime time) => Encoding.UTF8.GetBytes(time.ToUniversalTime().ToString("O", CultureInfo.InvariantCulture));

    private static int ParseEtag(string? etag) =>
        int.TryParse(etag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version) && version >= 0 ? version : throw new ArgumentException($"Not a ZooKeeper version ETag: '{etag}'", nameof(etag));

    [LoggerMessage(2500, LogLevel.Information, "Membership table at {Path}")]
    private static partial void LogInformationInitialized(ILogger logger, string path);

    [LoggerMessage(2501, LogLevel.Debug, "Membership {What} of {Silo} lost a race: {Code}")]
    private static partial void LogDebugConflict(ILogger logger, string what, string silo, ZooKeeperErrorCode code);

    [LoggerMessage(2502, LogLevel.Information, "Removed defunct membership entry {Silo} ({Status})")]
    private static partial void LogInformationDefunctRemoved(ILogger logger, string silo, SiloStatus status);
}
