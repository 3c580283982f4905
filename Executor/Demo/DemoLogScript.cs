using System.Globalization;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// Produces the lines of a simulated Zuul/Ansible build log (<c>job-output.txt</c> style, with ANSI colours):
/// plays, tasks, <c>ok:</c>/<c>changed:</c> results, command output and the occasional red failure.
/// </summary>
internal sealed class DemoLogScript(string jobName, string node, Random random, bool fails)
{
    public const string Green = "\u001b[0;32m";
    public const string Yellow = "\u001b[0;33m";
    public const string Red = "\u001b[0;31m";
    public const string Cyan = "\u001b[0;36m";
    public const string Reset = "\u001b[0m";

    private static readonly string[] Jobs = ["tox-py311", "tox-py312", "tox-pep8", "build-docs", "openstack-tox-cover", "nodejs-npm-run-test", "golang-make-test", "dotnet-test"];
    private static readonly string[] Nodes = ["ubuntu-jammy", "ubuntu-noble", "debian-bookworm", "centos-9-stream", "fedora-41"];

    private static readonly string[] PreTasks =
    [
        "prepare-workspace : Start zuul_console daemon.",
        "prepare-workspace : Synchronize src repos to workspace directory.",
        "validate-host : Collect information about the host",
        "ensure-pip : Install pip",
        "ensure-tox : Ensure tox is installed",
    ];

    private static readonly string[] TestModules = ["test_api", "test_scheduler", "test_model", "test_zk", "test_web", "test_executor", "test_streaming", "test_config"];

    private int _task;
    private int _test;

    public static string PickJob(Random random) => Jobs[random.Next(Jobs.Length)];

    public static string PickNode(Random random) => Nodes[random.Next(Nodes.Length)];

    /// <summary>The opening lines of the log.</summary>
    public IEnumerable<string> Header(DateTimeOffset now)
    {
        yield return Line(now, $"Job console starting");
        yield return Line(now, $"Updating git repos");
        yield return Line(now, $"Cloning repos into workspace");
        yield return Line(now, $"Running Ansible setup");
        yield return Line(now, string.Empty);
        yield return Line(now, $"PLAY [{Cyan}all{Reset}]");
        yield return Line(now, string.Empty);
        yield return Line(now, "TASK [Gathering Facts]");
    }

    /// <summary>The next line of the build's body.</summary>
    public string Next(DateTimeOffset now)
    {
        var roll = random.Next(100);
        if (_task < PreTasks.Length && roll < 25)
        {
            var task = PreTasks[_task++];
            return Line(now, $"TASK [{task}]");
        }

        return roll switch
        {
            < 12 => Line(now, $"{node} | {Green}ok: Runtime: 0:00:{random.Next(0, 59):00}.{random.Next(0, 999999):000000}{Reset}"),
            < 20 => Line(now, $"{node} | {Yellow}changed: {Path()}{Reset}"),
            < 26 => Line(now, $"TASK [{jobName} : {TaskName()}]"),
            < 29 => Line(now, $"{node} | {Red}WARNING: {Warning()}{Reset}"),
            _ => Line(now, $"{node} | {TestLine()}"),
        };
    }

    /// <summary>The closing lines: failure (red) or success, and the play recap.</summary>
    public IEnumerable<string> Footer(DateTimeOffset now)
    {
        if (fails)
        {
            yield return Line(now, $"{node} | {Red}FAILED {TestModules[random.Next(TestModules.Length)]}.py::test_case_{random.Next(1, 400)} - AssertionError: expected 200, got 500{Reset}");
            yield return Line(now, $"{node} | {Red}fatal: [{node}]: FAILED! => {{\"changed\": true, \"msg\": \"non-zero return code\", \"rc\": 1}}{Reset}");
        }
        else
        {
            yield return Line(now, $"{node} | {Green}ok: Runtime: 0:0{random.Next(1, 9)}:{random.Next(0, 59):00}.{random.Next(0, 999999):000000}{Reset}");
        }

        yield return Line(now, string.Empty);
        yield return Line(now, "PLAY RECAP");
        var failed = fails ? 1 : 0;
        yield return Line(now, $"{node} | {Green}ok: {random.Next(20, 60)}{Reset} {Yellow}changed: {random.Next(3, 20)}{Reset}   unreachable: 0    {(fails ? Red : string.Empty)}failed: {failed}{(fails ? Reset : string.Empty)}    skipped: {random.Next(0, 9)}");
        yield return Line(now, string.Empty);
    }

    private string TestLine()
    {
        _test++;
        var module = TestModules[random.Next(TestModules.Length)];
        return random.Next(10) switch
        {
            0 => $"{jobName}: commands[0]> stestr run --slowest",
            1 => $"Collecting {module.Replace("test_", string.Empty, StringComparison.Ordinal)}-lib>={random.Next(1, 5)}.{random.Next(0, 30)}",
            _ => $"{{{random.Next(0, 2)}}} tests.unit.{module}.TestCase.test_{_test:0000} [{random.Next(0, 3)}.{random.Next(0, 999):000}s] ... {Green}ok{Reset}",
        };
    }

    private string TaskName() => random.Next(4) switch
    {
        0 => "Run tox",
        1 => "Install bindep packages",
        2 => "Fetch tox output",
        _ => "Emit tox environment details",
    };

    private string Path() => $"/home/zuul/src/opendev.org/zuul/zuul/.tox/{jobName}/lib/python3.11/site-packages/pkg{random.Next(1, 99)}";

    private string Warning() => random.Next(2) == 0
        ? "Retrying package mirror (attempt 2 of 3)"
        : "deprecated option in tox.ini, see https://tox.wiki";

    /// <summary>Zuul's line format: <c>2026-11-26 10:00:00.123456 | text</c>.</summary>
    public static string Line(DateTimeOffset now, string text) =>
        now.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + " | " + text + "\n";
}
