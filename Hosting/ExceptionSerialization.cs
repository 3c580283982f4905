using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Zuul.LiveLog.Hosting;

/// <summary>
/// Lets our own exception types cross grain calls (Orleans serializes only exceptions of the <c>System</c>,
/// <c>Microsoft</c> and <c>Azure</c> namespaces unless told more). A silo's grain storage failing while a grain
/// activates (a ZooKeeper connection loss) thus reaches the caller as that exception, not as a codec-not-found error
/// it cannot classify. Failures inside grain methods are converted by the silo's error boundary anyway.
/// </summary>
public static class ExceptionSerialization
{
    public const string NamespacePrefix = "Zuul.LiveLog";

    public static IServiceCollection AddZuulExceptionSerialization(this IServiceCollection services) =>
        services.Configure<ExceptionSerializationOptions>(o => o.SupportedNamespacePrefixes.Add(NamespacePrefix));
}
