namespace Zuul.LiveLog.Executor;

/// <summary>Zuul's job directory layout (PROTOCOL.md section 2).</summary>
public sealed class JobDirectory
{
    public const string LogFileName = "job-output.txt";
    public const string DoneSuffix = ".done";

    private JobDirectory(string root, string buildId, string path)
    {
        Root = root;
        BuildId = buildId;
        Path = path;
        LogDirectory = System.IO.Path.Combine(path, "work", "logs");
        LogFile = System.IO.Path.Combine(LogDirectory, LogFileName);
        DoneMarker = LogFile + DoneSuffix;
    }

    public string Root { get; }

    public string BuildId { get; }

    /// <summary><c>&lt;JobRoot&gt;/&lt;id&gt;</c>.</summary>
    public string Path { get; }

    /// <summary><c>&lt;JobRoot&gt;/&lt;id&gt;/work/logs</c>.</summary>
    public string LogDirectory { get; }

    /// <summary><c>&lt;JobRoot&gt;/&lt;id&gt;/work/logs/job-output.txt</c>.</summary>
    public string LogFile { get; }

    /// <summary><c>job-output.txt.done</c>: the build has finished.</summary>
    public string DoneMarker { get; }

    /// <summary>True when the build has finished: marker written, or job directory gone.</summary>
    public bool IsFinished => File.Exists(DoneMarker) || !Directory.Exists(Path);

    /// <summary>
    /// The job directory of <paramref name="buildId"/> (already validated hex) under <paramref name="jobRoot"/>.
    /// Throws when the resolved path would leave the root, which a hex id cannot do; this is a second line of defence.
    /// </summary>
    public static JobDirectory For(string jobRoot, string buildId)
    {
        var root = System.IO.Path.GetFullPath(jobRoot);
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine(root, buildId));
        var parent = System.IO.Path.GetDirectoryName(path);
        if (!string.Equals(parent, root.TrimEnd(System.IO.Path.DirectorySeparatorChar), StringComparison.Ordinal)
            || !string.Equals(System.IO.Path.GetFileName(path), buildId, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Build id '{buildId}' does not name a directory directly under the job root.", nameof(buildId));
        }

        return new JobDirectory(root, buildId, path);
    }
}
