using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;

namespace Zuul.LiveLog.Benchmarks;

internal sealed record FollowResult(string Key, List<double> DelaysMs, int Expected)
{
    public int Lost => Expected - DelaysMs.Count;
}

/// <summary>
/// Follow latency: clients follow running builds; timestamped lines are appended to the logs every ~10 ms;
/// the delay from the append (just before write(2)) until the line reaches each client is recorded.
/// </summary>
internal static class FollowLatency
{
    private const string Prefix = "FOLLOW ";

    public static async Task<List<FollowResult>> RunAsync(IReadOnlyList<(Target Target, string File)> followers, int lines, TimeSpan interval)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60 + (lines * interval.TotalSeconds * 2)));
        var results = followers.Select(f => new FollowResult(f.Target.Key, [], lines)).ToList();
        var synced = new CountdownEvent(followers.Count);
        var readers = new List<Task>();
        var closers = new List<IDisposable>();
        for (var i = 0; i < followers.Count; i++)
        {
            var (target, _) = followers[i];
            var result = results[i];
            if (target.Websocket)
            {
                var ws = await LoadClient.OpenWebsocketAsync(target, target.Uuid, cts.Token);
                closers.Add(ws);
                readers.Add(ReadLinesAsync(async buffer => { var r = await ws.ReceiveAsync(buffer, cts.Token); return r.MessageType == WebSocketMessageType.Close ? 0 : r.Count; }, result, synced, lines));
            }
            else
            {
                var stream = await LoadClient.OpenFingerAsync(target, target.Uuid, 0, cts.Token);
                closers.Add(stream);
                readers.Add(ReadLinesAsync(b => stream.ReadAsync(b, cts.Token), result, synced, lines));
            }
        }

        if (!synced.Wait(TimeSpan.FromSeconds(30)))
        {
            throw new TimeoutException("follow-latency clients did not receive the start of their logs");
        }

        var files = followers.Select(f => f.File).Distinct().Select(f => new FileStream(f, FileMode.Append, FileAccess.Write, FileShare.ReadWrite, 1)).ToList();
        var next = Stopwatch.GetTimestamp();
        var step = (long)(interval.TotalSeconds * Stopwatch.Frequency);
        for (var seq = 0; seq < lines; seq++)
        {
            foreach (var file in files)
            {
                var line = Encoding.ASCII.GetBytes($"{Prefix}{seq} {Stopwatch.GetTimestamp().ToString(CultureInfo.InvariantCulture)} appended by the benchmark\n");
                file.Write(line);
                file.Flush();
            }

            next += step;
            var wait = next - Stopwatch.GetTimestamp();
            if (wait > 0)
            {
                await Task.Delay(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
            }
        }

        // Stragglers get 2 s, then the streams are closed.
        var done = Task.WhenAll(readers);
        await Task.WhenAny(done, Task.Delay(2000));
        foreach (var f in files)
        {
            await f.DisposeAsync();
        }

        foreach (var c in closers)
        {
            c.Dispose();
        }

        await cts.CancelAsync();
        try
        {
            await done;
        }
        catch (Exception)
        {
        }

        return results;
    }

    private static async Task ReadLinesAsync(Func<Memory<byte>, ValueTask<int>> read, FollowResult result, CountdownEvent synced, int lines)
    {
        var buffer = new byte[256 * 1024];
        var pending = new StringBuilder();
        var isSynced = false;
        try
        {
            while (result.DelaysMs.Count < lines)
            {
                var n = await read(buffer);
                if (n == 0)
                {
                    return;
                }

                var now = Stopwatch.GetTimestamp();
                pending.Append(Encoding.ASCII.GetString(buffer, 0, n));
                var text = pending.ToString();
                var lastNewline = text.LastIndexOf('\n');
                if (lastNewline < 0)
                {
                    continue;
                }

                if (!isSynced)
                {
                    isSynced = true;
                    synced.Signal();
                }

                foreach (var line in text[..lastNewline].Split('\n'))
                {
                    if (line.StartsWith(Prefix, StringComparison.Ordinal))
                    {
                        var parts = line.Split(' ');
                        var ts = long.Parse(parts[2], CultureInfo.InvariantCulture);
                        result.DelaysMs.Add(Stats.Ms(now - ts));
                    }
                }

                pending.Clear();
                pending.Append(text, lastNewline + 1, text.Length - lastNewline - 1);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or WebSocketException or ObjectDisposedException)
        {
        }
    }
}
