using Microsoft.Extensions.Logging;
using Zuul.LiveLog.Grains;

namespace Zuul.LiveLog.Executor;

/// <summary>The registrar of <c>Executor:RegisterBuilds=false</c>: no cluster, the events are only logged.</summary>
internal sealed partial class LoggingBuildRegistrar(ILogger<LoggingBuildRegistrar> logger) : IBuildRegistrar
{
    public Task ReportAsync(string uuid, BuildStart start, BuildFinish? finish, CancellationToken cancellationToken)
    {
        if (finish is null)
        {
            LogInformationStarted(logger, uuid, start.JobName, start.ExecutorHostname, start.LogPort, start.Zone);
        }
        else
        {
            LogInformationFinished(logger, uuid, finish.Result);
        }

        return Task.CompletedTask;
    }

    [LoggerMessage(EventId = 1301, Level = LogLevel.Information, Message = "Build {BuildId} ({JobName}) running, log at {Hostname}:{LogPort} zone {Zone} (not registered: Executor:RegisterBuilds is false)")]
    private static partial void LogInformationStarted(ILogger logger, string buildId, string? jobName, string hostname, int logPort, string? zone);

    [LoggerMessage(EventId = 1302, Level = LogLevel.Information, Message = "Build {BuildId} finished: {Result} (not registered: Executor:RegisterBuilds is false)")]
    private static partial void LogInformationFinished(ILogger logger, string buildId, string? result);
}
