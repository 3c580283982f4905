namespace Zuul.LiveLog.Hosting;

/// <summary>
/// An extra check of <c>/healthz</c> (the silo's: a grain call that reads grain storage). Connections can be up while
/// grain calls still time out, e.g. for minutes after ZooKeeper came back; healthy must mean the calls work.
/// </summary>
public interface IHealthProbe
{
    Task ProbeAsync();
}
