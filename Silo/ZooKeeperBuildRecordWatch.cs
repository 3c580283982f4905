using System.Globalization;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// Build record watches on ZooKeeper: one exists-watch on <c>/grains/build/&lt;uuid&gt;</c> per armed token. An exists-watch
/// fires on creation, data change and deletion, so one kind covers a build that is not registered yet, one that
/// finishes and one the retention sweeper deletes. A reconnect re-arms it (SetWatches fires what changed meanwhile);
/// a session expiry fires it with no event type, which also marks the token stale.
/// </summary>
internal sealed class ZooKeeperBuildRecordWatch(ZooKeeperConnection connection) : IBuildRecordWatch
{
    /// <summary>A connection that drops mid-request holds the request until its reconnect round ends; do not wait for that.</summary>
    private static readonly TimeSpan ArmTimeout = TimeSpan.FromSeconds(5);

    public bool CanRead => connection.IsConnected;

    public async Task<BuildRecordWatchToken> WatchAsync(string uuid, string? etag)
    {
        if (connection.Sessions.Current is not { State: ZooKeeperState.Connected } client)
        {
            // Re-read (and re-watch) once ZooKeeper is back; until then the record in memory answers.
            return BuildRecordWatchToken.Stale();
        }

        var token = new BuildRecordWatchToken();
        try
        {
            var stat = await client.ExistsAsync(ZooKeeperPaths.Grain(BuildRecords.GrainType, uuid), _ =>
            {
                token.MarkStale();
                return Task.CompletedTask;
            }).WaitAsync(ArmTimeout).ConfigureAwait(false);
            if (stat?.Version.ToString(CultureInfo.InvariantCulture) != etag)
            {
                token.MarkStale();
            }
        }
        catch (Exception ex) when (ex is ZooKeeperException or TimeoutException)
        {
            token.MarkStale();
        }

        return token;
    }
}
