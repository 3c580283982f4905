namespace Zuul.LiveLog.Benchmarks;

/// <summary>The benchmark's command line: <c>--quick</c>, <c>--log-mb N</c>, <c>--streams N</c>, <c>--skip a,b</c>, <c>--keep</c>, <c>--hold SECONDS</c>.</summary>
internal sealed record BenchOptions(bool Quick, int LogMb, int Streams, HashSet<string> Skip, bool Keep, int Hold = 0)
{
    public int Rounds1 => Quick ? 2 : 5;

    public int Reads1 => Quick ? 2 : 4;

    public int Rounds20 => Quick ? 1 : 3;

    public int Clients20 => 20;

    public int ColdRequests => Quick ? 30 : 100;

    public int WarmRequests => Quick ? 60 : 200;

    public int FollowLines => Quick ? 200 : 500;

    public double ResolveSeconds => Quick ? 2 : 5;

    public long AllocBytes => Quick ? 1024L << 20 : 2048L << 20;

    public int PageLines => Quick ? 200_000 : 1_000_000;

    public TimeSpan GrowSeconds => TimeSpan.FromSeconds(Quick ? 5 : 20);

    public static BenchOptions? Parse(string[] args)
    {
        var quick = args.Contains("--quick");
        int? logMb = null;
        int? streams = null;
        var skip = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var keep = false;
        var hold = 0;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--quick":
                    break;
                case "--keep":
                    keep = true;
                    break;
                case "--log-mb" when i + 1 < args.Length && int.TryParse(args[i + 1], out var mb) && mb > 0:
                    logMb = mb;
                    i++;
                    break;
                case "--streams" when i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n > 0:
                    streams = n;
                    i++;
                    break;
                case "--hold" when i + 1 < args.Length && int.TryParse(args[i + 1], out var h):
                    hold = h;
                    i++;
                    break;
                case "--skip" when i + 1 < args.Length:
                    skip.UnionWith(args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries));
                    break;
                default:
                    return null;
            }
        }

        return new BenchOptions(quick, logMb ?? (quick ? 50 : 200), streams ?? (quick ? 1000 : 10000), skip, keep, hold);
    }
}
