using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;

namespace Zuul.LiveLog.Silo;

/// <summary>
/// The server of a silo with nothing to listen on: finger gateway switched off and no health port. Kestrel without an
/// endpoint would listen on localhost:5000 by default, a port nobody asked for (and another silo's).
/// </summary>
internal sealed class NoListenerServer : IServer
{
    public NoListenerServer() => Features.Set<IServerAddressesFeature>(new ServerAddressesFeature());

    public IFeatureCollection Features { get; } = new FeatureCollection();

    public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
        where TContext : notnull => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose()
    {
    }
}
