using System.Globalization;

namespace Zuul.LiveLog.Tests.Infrastructure;

/// <summary>This test process's descriptors and memory, from <c>/proc/self</c>, and its descriptor limit.</summary>
public static class ProcessResources
{
    /// <summary>Descriptors open now (<c>/proc/self/fd</c>).</summary>
    public static int OpenDescriptors() => Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();

    /// <summary>Resident set size in bytes (<c>VmRSS</c> of <c>/proc/self/status</c>).</summary>
    public static long ResidentBytes()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Managed heap after a full, compacting collection.</summary>
    public static long ManagedBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    /// <summary>
    /// Makes sure this process may open <paramref name="needed"/> descriptors: raises the soft limit up to the hard one
    /// with util-linux's <c>prlimit</c> (as <c>scripts/bench.sh</c> does with <c>ulimit -Sn</c>), and fails clearly
    /// when even the hard limit is lower.
    /// </summary>
    public static async Task EnsureDescriptorsAsync(int needed)
    {
        var (soft, hard) = DescriptorLimits();
        if (soft >= needed)
        {
            return;
        }

        if (hard < needed)
        {
            throw new InvalidOperationException($"This test needs {needed} descriptors; the hard limit is {hard} (raise it with ulimit -Hn as root).");
        }

        await NetworkLab.RunAsync("prlimit", "--pid", Environment.ProcessId.ToString(CultureInfo.InvariantCulture), $"--nofile={needed.ToString(CultureInfo.InvariantCulture)}:");
        (soft, _) = DescriptorLimits();
        if (soft < needed)
        {
            throw new InvalidOperationException($"Could not raise the descriptor soft limit to {needed} (it is {soft}).");
        }
    }

    /// <summary>The soft and hard <c>RLIMIT_NOFILE</c> (<c>/proc/self/limits</c>; "unlimited" as long.MaxValue).</summary>
    public static (long Soft, long Hard) DescriptorLimits()
    {
        var fields = File.ReadLines("/proc/self/limits").First(l => l.StartsWith("Max open files", StringComparison.Ordinal))
            ["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return (Parse(fields[0]), Parse(fields[1]));

        static long Parse(string value) => value == "unlimited" ? long.MaxValue : long.Parse(value, CultureInfo.InvariantCulture);
    }
}
