using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace Zuul.LiveLog.Tests.WebFrontend;

/// <summary>Reads a server-sent event stream in the background; tests wait for the events they expect.</summary>
internal sealed class SseClient : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly HttpResponseMessage _response;
    private readonly CancellationTokenSource _cts = new();
    private readonly Channel<(string Event, string Data)> _events = Channel.CreateUnbounded<(string, string)>();
    private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Task _reader;

    private SseClient(HttpClient http, HttpResponseMessage response)
    {
        _http = http;
        _response = response;
        _reader = ReadAsync();
    }

    public HttpResponseMessage Response => _response;

    /// <summary>The data of every build event read so far (by <see cref="NextAsync"/>), matching or not.</summary>
    public List<string> Seen { get; } = [];

    /// <summary>Connects and waits for the stream's opening comment (the server listens from then on).</summary>
    public static async Task<SseClient> ConnectAsync(Uri web, TimeSpan timeout, string tenant = "default", string? token = null)
    {
        var http = new HttpClient { BaseAddress = web, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
        if (token is not null)
        {
            http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        }

        var response = await http.GetAsync($"/api/tenant/{tenant}/builds/events", HttpCompletionOption.ResponseHeadersRead);
        var client = new SseClient(http, response);
        await client._opened.Task.WaitAsync(timeout);
        return client;
    }

    /// <summary>The next build event matching <paramref name="match"/>, skipping others.</summary>
    public async Task<JsonElement> NextAsync(Func<JsonElement, bool> match, TimeSpan timeout, string what)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var (name, data) = await _events.Reader.ReadAsync(cts.Token);
                if (name != "build")
                {
                    continue;
                }

                var json = JsonDocument.Parse(data).RootElement.Clone();
                Seen.Add(data);
                if (match(json))
                {
                    return json;
                }
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for the event: {what}");
        }
    }

    private async Task ReadAsync()
    {
        try
        {
            using var reader = new StreamReader(await _response.Content.ReadAsStreamAsync(_cts.Token), Encoding.UTF8);
            string name = "message";
            var data = new StringBuilder();
            while (await reader.ReadLineAsync(_cts.Token) is { } line)
            {
                if (line.Length == 0)
                {
                    if (data.Length > 0)
                    {
                        _events.Writer.TryWrite((name, data.ToString()));
                    }

                    name = "message";
                    data.Clear();
                    _opened.TrySetResult();
                }
                else if (line.StartsWith(':'))
                {
                    _opened.TrySetResult();
                }
                else if (line.StartsWith("event:", StringComparison.Ordinal))
                {
                    name = line["event:".Length..].Trim();
                }
                else if (line.StartsWith("data:", StringComparison.Ordinal))
                {
                    data.Append(line["data:".Length..].TrimStart());
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or HttpRequestException)
        {
        }
        finally
        {
            _events.Writer.TryComplete();
            _opened.TrySetException(new IOException("The event stream ended before it opened."));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync();
        _response.Dispose();
        await _reader;
        _http.Dispose();
        _cts.Dispose();
    }
}
