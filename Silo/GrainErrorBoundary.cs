using Orleans.Storage;
using Zuul.LiveLog.Grains;
using Zuul.LiveLog.ZooKeeper;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// Every failure of our grains leaves the silo as something its caller can deserialize and classify: our own
/// serializable exceptions and argument errors (a bad request) pass as they are; anything else (a ZooKeeper error
/// from grain storage, a timeout, a bug) becomes a <see cref="GrainCallException"/> that says whether trying again
/// may help. Without this an executor got a codec-not-found error for a ZooKeeper connection loss and gave up.
/// </summary>
public sealed partial class GrainErrorBoundary(ILogger<GrainErrorBoundary> logger) : IIncomingGrainCallFilter
{
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        try
        {
            await context.Invoke();
        }
        catch (Exception ex) when (Converts(context, ex))
        {
            var transient = IsTransient(ex);
            LogConverted(logger, context.InterfaceName, context.MethodName, ex.GetType().Name, transient, ex.Message);
            throw new GrainCallException($"{context.MethodName} failed in the cluster: {ex.GetType().Name}: {ex.Message}", transient, ex.GetType().Name);
        }
    }

    /// <summary>Whether the same call may succeed later: the store or a silo unreachable, a timeout, a concurrent write.</summary>
    public static bool IsTransient(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ZooKeeperException zk:
                    // Connectivity and load; an ACL, a bad path or a refused identity are configuration, not weather.
                    return zk is not (NoAuthException or AuthFailedException or InvalidAclException or BadArgumentsException or MarshallingErrorException or UnimplementedException);
                case TimeoutException or OperationCanceledException or IOException or System.Net.Sockets.SocketException:
                case InconsistentStateException: // a concurrent write: the activation reloads, the next call reads fresh state
                case SiloUnavailableException or OrleansMessageRejectionException:
                case GrainCallException { Transient: true }:
                    return true;
            }
        }

        return false;
    }

    private static bool Converts(IIncomingGrainCallContext context, Exception ex) =>
        ex is not (BuildRegistrationRefusedException or GrainCallException or ArgumentException) &&
        context.InterfaceMethod?.DeclaringType?.Namespace == typeof(IBuildGrain).Namespace;

    [LoggerMessage(40, LogLevel.Warning, "{Interface}.{Method} failed with {ErrorType} ({Error}); the caller gets it as a {Transient} grain call error")]
    private static partial void LogConvertedCore(ILogger logger, string @interface, string method, string errorType, string error, string transient);

    private static void LogConverted(ILogger logger, string @interface, string method, string errorType, bool transient, string error) =>
        LogConvertedCore(logger, @interface, method, errorType, error, transient ? "transient" : "permanent");
}
