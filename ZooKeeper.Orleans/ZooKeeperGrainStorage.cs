using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Orleans;
using Orleans.Runtime;
using Orleans.Storage;

namespace Zuul.LiveLog.ZooKeeper.Orleans;

/// <summary>
/// Grain state as JSON at <c>/grains/&lt;grain type&gt;/&lt;key&gt;</c>; the ETag is the znode version, so a write based on
/// a stale read raises <see cref="InconsistentStateException"/>. Clearing deletes the node.
/// </summary>
public sealed partial class ZooKeeperGrainStorage(string name, ZooKeeperConnection connection, ILogger<ZooKeeperGrainStorage> logger) : IGrainStorage
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads a state this storage wrote, for readers outside the grain (e.g. the web frontend's build list).</summary>
    public static T? Deserialize<T>(ReadOnlySpan<byte> data) => JsonSerializer.Deserialize<T>(data, Json);

    public static string PathOf(GrainId grainId) => ZooKeeperPaths.Grain(grainId.Type.ToString()!, grainId.Key.ToString()!);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        try
        {
            var data = await client.GetDataAsync(PathOf(grainId)).ConfigureAwait(false);
            grainState.State = JsonSerializer.Deserialize<T>(data.Data, Json) ?? Activator.CreateInstance<T>();
            grainState.ETag = Etag(data.Stat);
            grainState.RecordExists = true;
        }
        catch (NoNodeException)
        {
            grainState.State = Activator.CreateInstance<T>();
            grainState.ETag = null;
            grainState.RecordExists = false;
        }
    }

    public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        var path = PathOf(grainId);
        var bytes = JsonSerializer.SerializeToUtf8Bytes(grainState.State, Json);
        try
        {
            if (grainState.ETag is null)
            {
                await client.CreateWithParentsAsync(path, bytes).ConfigureAwait(false);
                grainState.ETag = "0";
            }
            else
            {
                var stat = await client.SetDataAsync(path, bytes, ParseEtag(grainState.ETag)).ConfigureAwait(false);
                grainState.ETag = Etag(stat);
            }

            grainState.RecordExists = true;
        }
        catch (Exception ex) when (ex is NodeExistsException or NoNodeException or BadVersionException)
        {
            throw await ConflictAsync(client, path, grainState.ETag, "write").ConfigureAwait(false);
        }
    }

    public async Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        ArgumentNullException.ThrowIfNull(grainState);
        var client = await connection.GetClientAsync().ConfigureAwait(false);
        var path = PathOf(grainId);
        if (grainState.ETag is not null)
        {
            try
            {
                await client.DeleteAsync(path, ParseEtag(grainState.ETag)).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is NoNodeException or BadVersionException)
            {
                throw await ConflictAsync(client, path, grainState.ETag, "clear").ConfigureAwait(false);
            }
        }

        grainState.State = Activator.CreateInstance<T>();
        grainState.ETag = null;
        grainState.RecordExists = false;
    }

    private async Task<InconsistentStateException> ConflictAsync(ZooKeeperClient client, string path, string? expected, string what)
    {
        string current;
        try
        {
            current = await client.ExistsAsync(path).ConfigureAwait(false) is { } stat ? Etag(stat) : "(none)";
        }
        catch (ZooKeeperException)
        {
            current = "(unknown)";
        }

        LogWarningConflict(logger, name, what, path, expected ?? "(none)", current);
        return new InconsistentStateException($"ZooKeeper grain storage '{name}': {what} of {path} expected version {expected ?? "(none)"}, found {current}", current, expected ?? string.Empty);
    }

    private static string Etag(Stat stat) => stat.Version.ToString(CultureInfo.InvariantCulture);

    private static int ParseEtag(string etag) =>
        int.TryParse(etag, NumberStyles.Integer, CultureInfo.InvariantCulture, out var version) && version >= 0 ? version : throw new InconsistentStateException($"Not a ZooKeeper version ETag: '{etag}'", "(none)", etag);

    [LoggerMessage(2520, LogLevel.Warning, "Grain storage {Name}: {What} of {Path} conflicts (ETag {Expected}, stored {Current})")]
    private static partial void LogWarningConflict(ILogger logger, string name, string what, string path, string expected, string current);
}
