using Zuul.LiveLog.ZooKeeper.Jute;
using Zuul.LiveLog.ZooKeeper.Protocol;
using Zuul.LiveLog.ZooKeeper.Session;

namespace Zuul.LiveLog.ZooKeeper;

/// <summary>The operations. Paths are relative to the chroot; every call is pipelined on the session's connection.</summary>
public sealed partial class ZooKeeperClient
{
    /// <summary>Creates a node and returns its path (with the sequence suffix for sequential modes).</summary>
    public async Task<string> CreateAsync(
        string path,
        ReadOnlyMemory<byte> data = default,
        CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null,
        CancellationToken cancellationToken = default)
    {
        var (created, _) = await CreateWithStatAsync(path, data, mode, acl, cancellationToken).ConfigureAwait(false);
        return created;
    }

    /// <summary>Creates a node and returns its path and its Stat.</summary>
    public Task<(string Path, Stat Stat)> CreateWithStatAsync(
        string path,
        ReadOnlyMemory<byte> data = default,
        CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null,
        CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path, mode is CreateMode.PersistentSequential or CreateMode.EphemeralSequential);
        var opCode = mode == CreateMode.Container ? OpCode.CreateContainer : OpCode.Create2;
        var body = new CreateRequest(ToServerPath(path), data, acl ?? DefaultAcl, (int)mode);
        return SubmitAsync(opCode, path, body, (int err, ref JuteReader reader) =>
        {
            ThrowIfError(err, path);
            var response = Create2Response.Read(ref reader);
            return (ToClientPath(response.Path), response.Stat);
        }, null, cancellationToken);
    }

    /// <summary>Deletes a node; <paramref name="version"/> -1 matches any version.</summary>
    public Task DeleteAsync(string path, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        return SubmitAsync(OpCode.Delete, path, new DeleteRequest(ToServerPath(path), version), (int err, ref JuteReader _) =>
        {
            ThrowIfError(err, path);
            return true;
        }, null, cancellationToken);
    }

    /// <summary>The node's Stat, or null when it does not exist; the watcher fires on its creation, change or deletion.</summary>
    public Task<Stat?> ExistsAsync(string path, Func<WatchedEvent, Task>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        var watch = watcher is null ? null : new WatchRegistration(_watches, WatchKind.Exist, path, watcher);
        return SubmitAsync(OpCode.Exists, path, new ExistsRequest(ToServerPath(path), watcher is not null), (int err, ref JuteReader reader) =>
        {
            if (err == (int)ZooKeeperErrorCode.NoNode)
            {
                return null;
            }

            ThrowIfError(err, path);
            return (Stat?)ExistsResponse.Read(ref reader).Stat;
        }, watch, cancellationToken);
    }

    /// <summary>The node's data and Stat; the watcher fires on its next change or deletion.</summary>
    public Task<GetDataResult> GetDataAsync(string path, Func<WatchedEvent, Task>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        var watch = watcher is null ? null : new WatchRegistration(_watches, WatchKind.Data, path, watcher);
        return SubmitAsync(OpCode.GetData, path, new GetDataRequest(ToServerPath(path), watcher is not null), (int err, ref JuteReader reader) =>
        {
            ThrowIfError(err, path);
            var response = GetDataResponse.Read(ref reader);
            return new GetDataResult(response.Data, response.Stat);
        }, watch, cancellationToken);
    }

    /// <summary>Replaces the node's data if its version is <paramref name="version"/> (-1: any) and returns the new Stat.</summary>
    public Task<Stat> SetDataAsync(string path, ReadOnlyMemory<byte> data, int version = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        return SubmitAsync(OpCode.SetData, path, new SetDataRequest(ToServerPath(path), data, version), (int err, ref JuteReader reader) =>
        {
            ThrowIfError(err, path);
            return SetDataResponse.Read(ref reader).Stat;
        }, null, cancellationToken);
    }

    /// <summary>The node's child names and Stat; the watcher fires when a child is added or removed, or the node is deleted.</summary>
    public Task<GetChildrenResult> GetChildrenAsync(string path, Func<WatchedEvent, Task>? watcher = null, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        var watch = watcher is null ? null : new WatchRegistration(_watches, WatchKind.Child, path, watcher);
        return SubmitAsync(OpCode.GetChildren2, path, new GetChildren2Request(ToServerPath(path), watcher is not null), (int err, ref JuteReader reader) =>
        {
            ThrowIfError(err, path);
            var response = GetChildren2Response.Read(ref reader);
            return new GetChildrenResult(response.Children, response.Stat);
        }, watch, cancellationToken);
    }

    /// <summary>
    /// Runs the operations atomically: all succeed, or none is applied and the first failing operation's exception is thrown
    /// with <see cref="ZooKeeperException.MultiResults"/> set.
    /// </summary>
    public Task<IReadOnlyList<OpResult>> MultiAsync(IEnumerable<Op> ops, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ops);
        var list = ops.ToList();
        var serverOps = new List<Op>(list.Count);
        foreach (var op in list)
        {
            ZooKeeperPath.Validate(op.Path, op is CreateOp { Mode: CreateMode.PersistentSequential or CreateMode.EphemeralSequential });
            serverOps.Add(op is CreateOp { Acl: null } create ? create with { Path = ToServerPath(op.Path), Acl = DefaultAcl } : op with { Path = ToServerPath(op.Path) });
        }

        return SubmitAsync(OpCode.Multi, list.FirstOrDefault()?.Path, new MultiRequest(serverOps), (int err, ref JuteReader reader) =>
        {
            if (reader.Remaining == 0)
            {
                ThrowIfError(err, null);
                return (IReadOnlyList<OpResult>)[];
            }

            var results = MultiResponse.Read(ref reader).Results
                .Select(r => r is CreateResult created ? created with { Path = ToClientPath(created.Path) } : r)
                .ToList();
            for (var i = 0; i < results.Count; i++)
            {
                if (results[i] is ErrorResult { Code: not ZooKeeperErrorCode.Ok } error)
                {
                    var exception = ZooKeeperException.Create(error.Code, i < list.Count ? list[i].Path : null);
                    exception.MultiResults = results;
                    throw exception;
                }
            }

            ThrowIfError(err, null);
            return results;
        }, null, cancellationToken);
    }

    /// <summary>The node's ACL and Stat.</summary>
    public Task<GetAclResult> GetAclAsync(string path, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        return SubmitAsync(OpCode.GetAcl, path, new GetAclRequest(ToServerPath(path)), (int err, ref JuteReader reader) =>
        {
            ThrowIfError(err, path);
            var response = GetAclResponse.Read(ref reader);
            return new GetAclResult(response.Acl, response.Stat);
        }, null, cancellationToken);
    }

    /// <summary>Replaces the node's ACL if its ACL version is <paramref name="aclVersion"/> (-1: any); returns the new Stat.</summary>
    public Task<Stat> SetAclAsync(string path, IReadOnlyList<Acl> acl, int aclVersion = -1, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        ArgumentNullException.ThrowIfNull(acl);
        return SubmitAsync(OpCode.SetAcl, path, new SetAclRequest(ToServerPath(path), acl, aclVersion), (int err, ref JuteReader reader) =>
        {
            ThrowIfError(err, path);
            return SetDataResponse.Read(ref reader).Stat; // SetACLResponse has the same layout: one Stat
        }, null, cancellationToken);
    }

    /// <summary>Waits until the server this client talks to has caught up with the leader for <paramref name="path"/>.</summary>
    public Task SyncAsync(string path, CancellationToken cancellationToken = default)
    {
        ZooKeeperPath.Validate(path);
        return SubmitAsync(OpCode.Sync, path, new SyncRequest(ToServerPath(path)), (int err, ref JuteReader _) =>
        {
            ThrowIfError(err, path);
            return true;
        }, null, cancellationToken);
    }

    /// <summary>Adds credentials to the session (sent again after every reconnect), e.g. scheme "digest" with "user:password".</summary>
    public async Task AddAuthAsync(string scheme, byte[] auth, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(scheme);
        ArgumentNullException.ThrowIfNull(auth);
        ThrowIfTerminal();
        lock (_authInfo)
        {
            _authInfo.Add((scheme, auth));
        }

        var connection = Volatile.Read(ref _connection);
        if (connection is null)
        {
            return; // sent with the other credentials when the connection comes back
        }

        var frame = BuildAuthFrame(scheme, auth);
        var waiter = new PendingRequest<bool>(OpCode.Auth, null, frame, static (int _, ref JuteReader _) => true);
        await connection.SendAuthAsync(frame, waiter, cancellationToken).ConfigureAwait(false);
        await waiter.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// The identities the server gives this session (ZooKeeper 3.7+): <c>ip</c> always, <c>digest</c> after digest auth,
    /// <c>x509</c> with the subject of the client certificate on a TLS port with the x509 provider. Older servers throw
    /// <see cref="UnimplementedException"/>.
    /// </summary>
    public Task<IReadOnlyList<Id>> WhoAmIAsync(CancellationToken cancellationToken = default) =>
        SubmitAsync(OpCode.WhoAmI, null, new WhoAmIRequest(), (int err, ref JuteReader reader) =>
        {
            ThrowIfError(err, null);
            return JuteRecords.ReadVector<Id>(ref reader);
        }, null, cancellationToken);

    /// <summary>Authenticates the session as a digest user (see <see cref="Acl.Digest"/>).</summary>
    public Task AddDigestAuthAsync(string user, string password, CancellationToken cancellationToken = default) =>
        AddAuthAsync("digest", System.Text.Encoding.UTF8.GetBytes($"{user}:{password}"), cancellationToken);

    private Task<T> SubmitAsync<TBody, T>(int opCode, string? path, TBody body, ReplyParser<T> parser, WatchRegistration? watch, CancellationToken cancellationToken)
        where TBody : IJuteRecord<TBody>
    {
        ThrowIfTerminal();
        if (cancellationToken.IsCancellationRequested)
        {
            return Task.FromCanceled<T>(cancellationToken);
        }

        var frame = BuildFrame(opCode, path, body.Write);
        var request = new PendingRequest<T>(opCode, path, frame, parser, watch);
        request.RegisterCancellation(cancellationToken);
        _requests.Writer.TryWrite(request);

        // Closes the race with a concurrent Terminate that drained the queue just before this write.
        if (Volatile.Read(ref _terminal) is { } terminal)
        {
            FailQueued(terminal);
        }

        return request.Task;
    }

    private byte[] BuildFrame(int opCode, string? path, Action<JuteWriter> writeBody)
    {
        var writer = new JuteWriter();
        writer.BeginFrame();
        new RequestHeader(0, opCode).Write(writer);
        writeBody(writer);
        var length = writer.EndFrame();
        if (length > _options.MaxPacketSize)
        {
            throw new PacketTooLargeException(path, length, _options.MaxPacketSize);
        }

        return writer.WrittenSpan.ToArray();
    }

    private void ThrowIfTerminal()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) == 1 && State == ZooKeeperState.Closed, this);
        var state = State;
        if (IsTerminal(state))
        {
            throw TerminalException(state);
        }
    }

    private static void ThrowIfError(int err, string? path)
    {
        if (err != 0)
        {
            throw ZooKeeperException.Create((ZooKeeperErrorCode)err, path);
        }
    }

    private string ToServerPath(string path)
    {
        var chroot = _connectionString.Chroot;
        return chroot is null ? path : path == "/" ? chroot : chroot + path;
    }

    private string ToClientPath(string serverPath)
    {
        var chroot = _connectionString.Chroot;
        if (chroot is null)
        {
            return serverPath;
        }

        if (serverPath == chroot)
        {
            return "/";
        }

        return serverPath.StartsWith(chroot + "/", StringComparison.Ordinal) ? serverPath[chroot.Length..] : serverPath;
    }
}
