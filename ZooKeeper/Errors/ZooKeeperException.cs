namespace Zuul.LiveLog.ZooKeeper;

/// <summary>A ZooKeeper operation failed with <see cref="Code"/>; one subclass per error code.</summary>
public abstract class ZooKeeperException(ZooKeeperErrorCode code, string? path, string? message, Exception? inner = null)
    : Exception(FormatMessage(code, path, message), inner)
{
    public ZooKeeperErrorCode Code { get; } = code;

    /// <summary>The path (as the caller wrote it, without chroot) the failed operation was about, when there is one.</summary>
    public string? Path { get; } = path;

    /// <summary>For a failed multi: every operation's result, so the caller can see which one failed.</summary>
    public IReadOnlyList<OpResult>? MultiResults { get; internal set; }

    /// <summary>The exception for <paramref name="code"/>; unknown codes give <see cref="UnknownErrorException"/>.</summary>
    public static ZooKeeperException Create(ZooKeeperErrorCode code, string? path = null, string? message = null) =>
        code switch
        {
            ZooKeeperErrorCode.SystemError => new SystemErrorException(path, message),
            ZooKeeperErrorCode.RuntimeInconsistency => new RuntimeInconsistencyException(path, message),
            ZooKeeperErrorCode.DataInconsistency => new DataInconsistencyException(path, message),
            ZooKeeperErrorCode.ConnectionLoss => new ConnectionLossException(path, message),
            ZooKeeperErrorCode.MarshallingError => new MarshallingErrorException(path, message),
            ZooKeeperErrorCode.Unimplemented => new UnimplementedException(path, message),
            ZooKeeperErrorCode.OperationTimeout => new OperationTimeoutException(path, message),
            ZooKeeperErrorCode.BadArguments => new BadArgumentsException(path, message),
            ZooKeeperErrorCode.UnknownSession => new UnknownSessionException(path, message),
            ZooKeeperErrorCode.NewConfigNoQuorum => new NewConfigNoQuorumException(path, message),
            ZooKeeperErrorCode.ReconfigInProgress => new ReconfigInProgressException(path, message),
            ZooKeeperErrorCode.ApiError => new ApiErrorException(path, message),
            ZooKeeperErrorCode.NoNode => new NoNodeException(path, message),
            ZooKeeperErrorCode.NoAuth => new NoAuthException(path, message),
            ZooKeeperErrorCode.BadVersion => new BadVersionException(path, message),
            ZooKeeperErrorCode.NoChildrenForEphemerals => new NoChildrenForEphemeralsException(path, message),
            ZooKeeperErrorCode.NodeExists => new NodeExistsException(path, message),
            ZooKeeperErrorCode.NotEmpty => new NotEmptyException(path, message),
            ZooKeeperErrorCode.SessionExpired => new SessionExpiredException(path, message),
            ZooKeeperErrorCode.InvalidCallback => new InvalidCallbackException(path, message),
            ZooKeeperErrorCode.InvalidAcl => new InvalidAclException(path, message),
            ZooKeeperErrorCode.AuthFailed => new AuthFailedException(path, message),
            ZooKeeperErrorCode.SessionMoved => new SessionMovedException(path, message),
            ZooKeeperErrorCode.NotReadOnly => new NotReadOnlyException(path, message),
            ZooKeeperErrorCode.EphemeralOnLocalSession => new EphemeralOnLocalSessionException(path, message),
            ZooKeeperErrorCode.NoWatcher => new NoWatcherException(path, message),
            ZooKeeperErrorCode.RequestTimeout => new RequestTimeoutException(path, message),
            ZooKeeperErrorCode.ReconfigDisabled => new ReconfigDisabledException(path, message),
            ZooKeeperErrorCode.SessionClosedRequireSasl => new SessionClosedRequireSaslException(path, message),
            ZooKeeperErrorCode.QuotaExceeded => new QuotaExceededException(path, message),
            ZooKeeperErrorCode.Throttled => new ThrottledException(path, message),
            _ => new UnknownErrorException(code, path, message),
        };

    private static string FormatMessage(ZooKeeperErrorCode code, string? path, string? message)
    {
        var text = message ?? code.ToString();
        return path is null ? $"{text} ({(int)code})" : $"{text} ({(int)code}) for {path}";
    }
}
