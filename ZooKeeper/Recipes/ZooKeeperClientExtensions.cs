namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Recipes on top of the plain operations.</summary>
public static class ZooKeeperClientExtensions
{
    /// <summary>Creates <paramref name="path"/>, first creating any missing parents as empty persistent nodes (mkdir -p).</summary>
    public static async Task<string> CreateWithParentsAsync(
        this ZooKeeperClient client,
        string path,
        ReadOnlyMemory<byte> data = default,
        CreateMode mode = CreateMode.Persistent,
        IReadOnlyList<Acl>? acl = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);

        // A parent can vanish between creating it and creating the child (a container, or another client); retry a few times.
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await client.CreateAsync(path, data, mode, acl, cancellationToken).ConfigureAwait(false);
            }
            catch (NoNodeException) when (attempt < 5)
            {
                await EnsurePathAsync(client, ZooKeeperPath.Parent(path), acl, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Makes sure every node of <paramref name="path"/> exists (persistent, empty); existing ones are left alone.</summary>
    public static async Task EnsurePathAsync(this ZooKeeperClient client, string path, IReadOnlyList<Acl>? acl = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ZooKeeperPath.Validate(path);
        if (path == "/" || await client.ExistsAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        var current = "";
        foreach (var segment in path[1..].Split('/'))
        {
            current += "/" + segment;
            try
            {
                await client.CreateAsync(current, default, CreateMode.Persistent, acl, cancellationToken).ConfigureAwait(false);
            }
            catch (NodeExistsException)
            {
                // Someone (maybe us, earlier) made it already.
            }
        }
    }

    /// <summary>Deletes <paramref name="path"/> and everything below it; a node that is already gone is not an error.</summary>
    public static async Task DeleteRecursiveAsync(this ZooKeeperClient client, string path, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(client);
        ZooKeeperPath.Validate(path);

        // Children can be added while we delete; retry the subtree a few times before giving up with NotEmpty.
        for (var attempt = 0; ; attempt++)
        {
            GetChildrenResult children;
            try
            {
                children = await client.GetChildrenAsync(path, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            catch (NoNodeException)
            {
                return;
            }

            foreach (var child in children.Children)
            {
                if (path == "/" && child == "zookeeper" && client.Chroot is null)
                {
                    continue; // the server's own subtree cannot be deleted
                }

                await client.DeleteRecursiveAsync(ZooKeeperPath.Combine(path, child), cancellationToken).ConfigureAwait(false);
            }

            if (path == "/")
            {
                return;
            }

            try
            {
                await client.DeleteAsync(path, -1, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NoNodeException)
            {
                return;
            }
            catch (NotEmptyException) when (attempt < 5)
            {
            }
        }
    }
}
