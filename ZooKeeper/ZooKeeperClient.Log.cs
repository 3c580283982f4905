using Microsoft.Extensions.Logging;

namespace Zuul.LiveLog.ZooKeeper;

public sealed partial class ZooKeeperClient
{
    [LoggerMessage(EventId = 2000, Level = LogLevel.Information, Message = "ZooKeeper session 0x{SessionId:x}: {Previous} -> {Current}")]
    private partial void LogInformationStateChanged(ZooKeeperState previous, ZooKeeperState current, long sessionId);

    [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "ZooKeeper session 0x{SessionId:x} ended: {State}")]
    private partial void LogWarningSessionEnded(ZooKeeperState state, long sessionId);

    [LoggerMessage(EventId = 2003, Level = LogLevel.Debug, Message = "Connecting to {Endpoint} (session 0x{SessionId:x})")]
    private partial void LogDebugConnecting(HostEndpoint endpoint, long sessionId);

    [LoggerMessage(EventId = 2004, Level = LogLevel.Debug, Message = "Could not connect to {Endpoint}: {Reason}")]
    private partial void LogDebugConnectFailed(HostEndpoint endpoint, string reason);

    [LoggerMessage(EventId = 2013, Level = LogLevel.Warning, Message = "Could not connect to ZooKeeper at {Endpoint}: {Reason}")]
    private partial void LogWarningConnectFailed(HostEndpoint endpoint, string reason);

    [LoggerMessage(EventId = 2005, Level = LogLevel.Debug, Message = "Connected to {Endpoint}, session 0x{SessionId:x}, timeout {TimeoutMs} ms")]
    private partial void LogDebugConnected(HostEndpoint endpoint, long sessionId, int timeoutMs);

    [LoggerMessage(EventId = 2006, Level = LogLevel.Debug, Message = "Connection to {Endpoint} lost: {Reason}")]
    private partial void LogDebugConnectionLost(HostEndpoint endpoint, string reason);

    [LoggerMessage(EventId = 2007, Level = LogLevel.Debug, Message = "Re-arming {Data} data, {Exist} exist and {Child} child watches from zxid 0x{Zxid:x}")]
    private partial void LogDebugSetWatches(int data, int exist, int child, long zxid);

    [LoggerMessage(EventId = 2008, Level = LogLevel.Debug, Message = "Notification {Type} for {Path}: {Count} watchers")]
    private partial void LogDebugNotification(WatchedEventType type, string path, int count);

    [LoggerMessage(EventId = 2009, Level = LogLevel.Debug, Message = "Closing the session failed: {Reason}")]
    private partial void LogDebugCloseFailed(string reason);

    [LoggerMessage(EventId = 2010, Level = LogLevel.Debug, Message = "Session loop ended with an error")]
    private partial void LogDebugRunLoopEnded(Exception exception);

    [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Watcher for {Path} threw")]
    private partial void LogWarningWatcherFailed(string? path, Exception exception);

    [LoggerMessage(EventId = 2012, Level = LogLevel.Warning, Message = "A StateChanged handler threw on {State}")]
    private partial void LogWarningStateHandlerFailed(ZooKeeperState state, Exception exception);
}
