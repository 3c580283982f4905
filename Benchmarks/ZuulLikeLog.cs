using System.Globalization;
using System.Text;

namespace Zuul.LiveLog.Benchmarks;

/// <summary>Zuul-like console lines: timestamps, hosts, tasks, test results, ANSI colours (about 85 bytes a line).</summary>
internal static class ZuulLikeLog
{
    private static readonly string[] Tasks = ["TASK [prepare-workspace : Sync repositories]", "TASK [tox : Run tox testenv]", "TASK [fetch-subunit-output]", "PLAY RECAP"];
    private static readonly string[] Hosts = ["ubuntu-jammy", "centos-9-stream", "debian-bookworm"];
    private static readonly DateTime T0 = new(2026, 11, 24, 10, 0, 0, DateTimeKind.Utc);

    /// <summary>Appends line <paramref name="i"/> (0-based), newline included.</summary>
    public static void AppendLine(StringBuilder sb, int i)
    {
        var ts = T0.AddTicks(i * 7919L).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        _ = (i % 5) switch
        {
            0 => sb.Append(ts).Append(" | ").Append(Tasks[i / 5 % Tasks.Length]).Append('\n'),
            1 => sb.Append(ts).Append(" | ").Append(Hosts[i % Hosts.Length]).Append(" | \u001b[32mok\u001b[0m: Runtime: 0:00:0").Append(i % 10).Append(".123456\n"),
            2 => sb.Append(ts).Append(" | ").Append(Hosts[i % Hosts.Length]).Append(" | {0} tests/unit/test_finger.py::TestRelay::test_case_").Append(i).Append(" \u001b[32mPASSED\u001b[0m [ 42%]\n"),
            3 => sb.Append(ts).Append(" | ").Append(Hosts[i % Hosts.Length]).Append(" | \u001b[33mchanged\u001b[0m: {\"cmd\": \"tox -e py311\", \"rc\": 0, \"delta\": \"0:00:01.").Append(i % 1000).Append("\"}\n"),
            _ => sb.Append(ts).Append(" | ").Append(Hosts[i % Hosts.Length]).Append(" |   ").Append('x', 20 + (i % 60)).Append('\n'),
        };
    }

    /// <summary>Writes lines until <paramref name="bytes"/> bytes (the last line cut there) or <paramref name="lines"/> lines; returns the bytes written.</summary>
    public static long Write(string path, long bytes, int lines)
    {
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.Read, 1 << 20);
        var sb = new StringBuilder(1 << 20);
        long written = 0;
        for (var i = 0; i < lines && written < bytes; i++)
        {
            var before = sb.Length;
            AppendLine(sb, i);
            var take = (int)Math.Min(sb.Length - before, bytes - written);
            sb.Length = before + take;
            written += take;
            if (sb.Length >= 1 << 20)
            {
                file.Write(Encoding.ASCII.GetBytes(sb.ToString()));
                sb.Clear();
            }
        }

        file.Write(Encoding.ASCII.GetBytes(sb.ToString()));
        return written;
    }
}
