using System.Text.Json;
using Microsoft.Extensions.Options;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.ZooKeeper;
using Zuul.LiveLog.ZooKeeper.Orleans;

namespace Zuul.LiveLog.Silo;

/// <summary>How long finished builds are kept in ZooKeeper grain storage (<c>Builds:*</c>).</summary>
public sealed class BuildRetentionOptions
{
    public const string Section = "Builds";

    /// <summary>A finished build's record is deleted this long after it finished.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often each silo looks for expired records.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromHours(1);

    public static IReadOnlyList<string> Validate(BuildRetentionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = new List<string>();
        if (options.Retention <= TimeSpan.Zero)
        {
            errors.Add($"Builds:Retention must be positive (got {options.Retention}).");
        }

        if (options.SweepInterval <= TimeSpan.Zero)
        {
            errors.Add($"Builds:SweepInterval must be positive (got {options.SweepInterval}).");
        }

        return errors;
    }
}

/// <summary>
/// Deletes finished builds older than <see cref="BuildRetentionOptions.Retention"/> from <c>/grains/build</c> (and lost
/// builds that started longer ago than that). Each
/// delete is version-checked, so a build written meanwhile is kept; several silos sweeping at once is harmless.
/// </summary>
public sealed partial class BuildRetentionSweeper(
    ZooKeeperConnection connection,
    TimeProvider time,
    IOptions<BuildRetentionOptions> options,
    ILogger<BuildRetentionSweeper> logger) : BackgroundService
{
    /// <summary>The grain type of <see cref="IBuildGrain"/> (Orleans' default name of <c>BuildGrain</c>).</summary>
    public const string GrainType = "build";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        do
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWarningSweepFailed(logger, ex);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).AsTask().ContinueWith(t => t.IsCompletedSuccessfully && t.Result, TaskScheduler.Default));
    }

    /// <summary>One sweep; returns how many records it deleted.</summary>
    public async Task<int> SweepAsync(CancellationToken cancellationToken = default)
    {
        var client = await connection.GetClientAsync(cancellationToken);
        var parent = ZooKeeperPaths.GrainType(GrainType);
        IReadOnlyList<string> children;
        try
        {
            children = (await client.GetChildrenAsync(parent, cancellationToken: cancellationToken)).Children;
        }
        catch (NoNodeException)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow() - options.Value.Retention;
        var deleted = 0;
        foreach (var child in children)
        {
            var path = $"{parent}/{child}";
            try
            {
                var data = await client.GetDataAsync(path, cancellationToken: cancellationToken);
                var record = JsonSerializer.Deserialize<BuildRecord>(data.Data, Json);
                // A lost build whose executor never came back goes the same time after it started.
                if ((record is { State: BuildState.Finished, FinishedAt: { } finished } && finished < cutoff) ||
                    (record is { State: BuildState.Lost } && record.StartedAt < cutoff))
                {
                    await client.DeleteAsync(path, data.Stat.Version, cancellationToken);
                    deleted++;
                }
            }
            catch (Exception ex) when (ex is NoNodeException or BadVersionException or JsonException)
            {
                // Gone, changed meanwhile (kept), or not a build record.
            }
        }

        if (deleted > 0)
        {
            LogInformationSwept(logger, deleted, options.Value.Retention);
        }

        return deleted;
    }

    [LoggerMessage(320, LogLevel.Information, "Removed {Count} finished build(s) older than {Retention}")]
    private static partial void LogInformationSwept(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(321, LogLevel.Warning, "Sweeping finished builds failed")]
    private static partial void LogWarningSweepFailed(ILogger logger, Exception exception);
}
