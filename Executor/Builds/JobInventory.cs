using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;
using Zuul.LiveLog.Hosting;

namespace Zuul.LiveLog.Executor;

/// <summary>
/// The Ansible inventory Zuul writes into a job directory (<c>&lt;id&gt;/ansible/inventory.yaml</c>); we read one fact
/// from it: the job's tenant, <c>all.vars.zuul.tenant</c>.
/// </summary>
public static class JobInventory
{
    /// <summary>The inventory below a job directory, where Zuul's executor writes it.</summary>
    public static string PathIn(string jobDirectory) => Path.Combine(jobDirectory, "ansible", "inventory.yaml");

    /// <summary>Inventories larger than this are not read (Zuul's are a few KiB; the cap keeps a bad file from costing memory).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The tenant recorded in the inventory; null when the file, the variable or a valid name is missing.</summary>
    public static string? ReadTenant(string jobDirectory)
    {
        var path = PathIn(jobDirectory);
        try
        {
            var file = new FileInfo(path);
            if (!file.Exists || file.Length > MaxBytes)
            {
                return null;
            }

            using var reader = new StreamReader(path);
            var yaml = new YamlStream();
            yaml.Load(reader);
            var tenant = yaml.Documents.Count == 0 ? null : Scalar(yaml.Documents[0].RootNode, "all", "vars", "zuul", "tenant");
            return TenantName.IsValid(tenant) ? tenant : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlException)
        {
            return null;
        }
    }

    private static string? Scalar(YamlNode node, params string[] keys)
    {
        foreach (var key in keys)
        {
            if (node is not YamlMappingNode map || !map.Children.TryGetValue(new YamlScalarNode(key), out var child))
            {
                return null;
            }

            node = child;
        }

        return (node as YamlScalarNode)?.Value;
    }
}
