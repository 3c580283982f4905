namespace Zuul.LiveLog.ZooKeeper;

/// <summary>Path rules of the server (PathUtils.validatePath), checked before anything is sent.</summary>
public static class ZooKeeperPath
{
    public static void Validate(string path, bool isSequential = false)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (path.Length == 0 || path[0] != '/')
        {
            throw new ArgumentException($"Path '{path}' must start with '/'.", nameof(path));
        }

        if (path.Length == 1)
        {
            return;
        }

        // A sequential create may end in '/': the server appends the counter.
        var checkedPath = isSequential ? path + "1" : path;
        if (checkedPath[^1] == '/')
        {
            throw new ArgumentException($"Path '{path}' must not end with '/'.", nameof(path));
        }

        foreach (var segment in checkedPath[1..].Split('/'))
        {
            if (segment.Length == 0)
            {
                throw new ArgumentException($"Path '{path}' contains an empty segment.", nameof(path));
            }

            if (segment is "." or "..")
            {
                throw new ArgumentException($"Path '{path}' contains a relative segment.", nameof(path));
            }

            foreach (var c in segment)
            {
                if (c == '\0' || (c > '\u0000' && c <= '\u001f') || (c >= '\u007f' && c <= '\u009f') ||
                    (c >= '\ud800' && c <= '\uf8ff') || (c >= '\ufff0' && c <= '\uffff'))
                {
                    throw new ArgumentException($"Path '{path}' contains an invalid character.", nameof(path));
                }
            }
        }
    }

    /// <summary>The parent of <paramref name="path"/> ("/" for top-level nodes).</summary>
    public static string Parent(string path)
    {
        var slash = path.LastIndexOf('/');
        return slash <= 0 ? "/" : path[..slash];
    }

    /// <summary>Joins a parent path and a child name.</summary>
    public static string Combine(string parent, string child) => parent == "/" ? "/" + child : parent + "/" + child;
}
