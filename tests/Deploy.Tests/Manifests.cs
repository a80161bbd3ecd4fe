using System.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace Distributed.Deploy.Tests;

/// <summary>The Kubernetes manifests of one overlay, rendered by <c>kubectl kustomize</c> as the user would.</summary>
internal sealed class Manifests
{
    private Manifests(IReadOnlyList<Dictionary<object, object>> documents) => Documents = documents;

    public IReadOnlyList<Dictionary<object, object>> Documents { get; }

    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    public static Manifests Render(string overlay) => RenderDirectory(Path.Combine(RepositoryRoot, "k8s", "overlays", overlay));

    /// <summary>Renders any kustomization directory, e.g. one a test writes to combine an overlay with a component.</summary>
    public static Manifests RenderDirectory(string directory)
    {
        var (exitCode, output, error) = Tool.Run("kubectl", ["kustomize", directory]);
        Assert.True(exitCode == 0, $"kubectl kustomize {directory} failed ({exitCode}): {error}");
        return new Manifests(Parse(output));
    }

    /// <summary>The rendered YAML text of an overlay, for checks on what the output contains anywhere.</summary>
    public static string RenderText(string overlay)
    {
        var directory = Path.Combine(RepositoryRoot, "k8s", "overlays", overlay);
        var (exitCode, output, error) = Tool.Run("kubectl", ["kustomize", directory]);
        Assert.True(exitCode == 0, $"kubectl kustomize {directory} failed ({exitCode}): {error}");
        return output;
    }

    /// <summary>The Deployments and StatefulSets: everything that runs pods.</summary>
    public IEnumerable<Dictionary<object, object>> Workloads() => OfKind("Deployment").Concat(OfKind("StatefulSet"));

    /// <summary>The silo Deployments (label <c>app.kubernetes.io/component: silo</c> on their pods).</summary>
    public List<Dictionary<object, object>> Silos() =>
        OfKind("Deployment")
            .Where(d => Map(d, "spec", "template", "metadata", "labels").TryGetValue("app.kubernetes.io/component", out var c) && (string)c == "silo")
            .ToList();

    /// <summary>A workload's pod spec.</summary>
    public static Dictionary<object, object> PodSpec(Dictionary<object, object> workload) => Map(workload, "spec", "template", "spec");

    /// <summary>A workload's pod labels.</summary>
    public static Dictionary<object, object> PodLabels(Dictionary<object, object> workload) => Map(workload, "spec", "template", "metadata", "labels");

    /// <summary>Every container of a workload's pod, init containers included.</summary>
    public static IEnumerable<Dictionary<object, object>> Containers(Dictionary<object, object> workload) =>
        List(PodSpec(workload), "initContainers").Concat(List(PodSpec(workload), "containers")).Cast<Dictionary<object, object>>();

    /// <summary>"Kind/name" of an object, or "name/container" of a container, for assertion messages.</summary>
    public static string Describe(Dictionary<object, object> workload, Dictionary<object, object>? container = null) =>
        container is null ? $"{workload["kind"]}/{Name(workload)}" : $"{workload["kind"]}/{Name(workload)} container {container["name"]}";

    /// <summary>The <c>valueFrom</c> of a container's env entry, or null when it has none or sets a literal.</summary>
    public static Dictionary<object, object>? EnvSource(Dictionary<object, object> container, string name) =>
        List(container, "env").Cast<Dictionary<object, object>>()
            .Where(e => (string)e["name"] == name && e.ContainsKey("valueFrom"))
            .Select(e => Map(e, "valueFrom"))
            .SingleOrDefault();

    /// <summary>The (Secret name, key) a container's env entry is read from; fails naming the variable when it is not a Secret.</summary>
    public static (string Name, string Key) SecretRef(Dictionary<object, object> container, string variable)
    {
        var source = EnvSource(container, variable);
        Assert.True(source is not null && source.ContainsKey("secretKeyRef"), $"{variable} of container {container["name"]} is not read from a Secret");
        var reference = Map(source, "secretKeyRef");
        return ((string)reference["name"], (string)reference["key"]);
    }

    public IEnumerable<Dictionary<object, object>> OfKind(string kind) =>
        Documents.Where(d => (string)d["kind"] == kind);

    public Dictionary<object, object> Single(string kind, string name) =>
        OfKind(kind).Single(d => Name(d) == name);

    public static string Name(Dictionary<object, object> document) => (string)Map(document, "metadata")["name"];

    public static Dictionary<object, object> Map(Dictionary<object, object> parent, params string[] path)
    {
        var current = parent;
        foreach (var key in path)
        {
            Assert.True(current.TryGetValue(key, out var next), $"missing '{key}' in {string.Join('.', path)}");
            current = Assert.IsType<Dictionary<object, object>>(next);
        }
        return current;
    }

    public static List<object> List(Dictionary<object, object> parent, string key) =>
        parent.TryGetValue(key, out var value) ? Assert.IsType<List<object>>(value) : [];

    /// <summary>The container named <c>silo</c> of a Deployment.</summary>
    public static Dictionary<object, object> SiloContainer(Dictionary<object, object> deployment) =>
        List(Map(deployment, "spec", "template", "spec"), "containers").Cast<Dictionary<object, object>>()
            .Single(c => (string)c["name"] == "silo");

    /// <summary>Literal env values of a container (those set with <c>value</c>).</summary>
    public static Dictionary<string, string> EnvValues(Dictionary<object, object> container) =>
        List(container, "env").Cast<Dictionary<object, object>>()
            .Where(e => e.ContainsKey("value"))
            .ToDictionary(e => (string)e["name"], e => (string)e["value"]);

    /// <summary>Env entries of a container set from a pod field (<c>valueFrom.fieldRef</c>): name to field path.</summary>
    public static Dictionary<string, string> EnvFieldRefs(Dictionary<object, object> container) =>
        List(container, "env").Cast<Dictionary<object, object>>()
            .Where(e => e.TryGetValue("valueFrom", out var from) && from is Dictionary<object, object> f && f.ContainsKey("fieldRef"))
            .ToDictionary(e => (string)e["name"], e => (string)Map(e, "valueFrom", "fieldRef")["fieldPath"]);

    /// <summary>
    /// The literal environment a container sees: the data of the ConfigMaps it loads with <c>envFrom</c>,
    /// overridden by its own <c>env</c> values, as the kubelet resolves them.
    /// </summary>
    public Dictionary<string, string> Environment(Dictionary<object, object> container)
    {
        var environment = new Dictionary<string, string>();
        foreach (var source in List(container, "envFrom").Cast<Dictionary<object, object>>().Where(s => s.ContainsKey("configMapRef")))
        {
            var configMap = Single("ConfigMap", (string)Map(source, "configMapRef")["name"]);
            foreach (var (key, value) in Map(configMap, "data"))
            {
                environment[(string)key] = (string)value;
            }
        }
        foreach (var (key, value) in EnvValues(container))
        {
            environment[key] = value;
        }
        return environment;
    }

    /// <summary>Every environment variable name a container can see: ConfigMap keys via envFrom and env entries.</summary>
    public IEnumerable<string> EnvironmentNames(Dictionary<object, object> container) =>
        Environment(container).Keys.Concat(List(container, "env").Cast<Dictionary<object, object>>().Select(e => (string)e["name"])).Distinct();

    /// <summary>The value after <paramref name="name"/> in a command line (<c>--name value</c> or <c>--name=value</c>), or null.</summary>
    public static string? Option(IReadOnlyList<string> arguments, string name)
    {
        string? value = null;
        for (var i = 0; i < arguments.Count; i++)
        {
            // A shell command line in one argument (sh -c "redis-server --appendonly yes ...") is split on spaces.
            var words = arguments[i].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            for (var j = 0; j < words.Length; j++)
            {
                if (words[j] == name)
                {
                    value = j + 1 < words.Length ? words[j + 1] : i + 1 < arguments.Count ? arguments[i + 1] : null;
                }
                else if (words[j].StartsWith(name + "=", StringComparison.Ordinal))
                {
                    value = words[j][(name.Length + 1)..];
                }
            }
        }
        return value?.Trim('"', '\'');
    }

    /// <summary>A container's mount of the named volume.</summary>
    public static Dictionary<object, object> Mount(Dictionary<object, object> container, string volume) =>
        List(container, "volumeMounts").Cast<Dictionary<object, object>>().Single(m => (string)m["name"] == volume);

    /// <summary>The mount path of the named volume in a container.</summary>
    public static string MountPath(Dictionary<object, object> container, string volume) => (string)Mount(container, volume)["mountPath"];

    /// <summary>A workload's pod volume with the given name.</summary>
    public static Dictionary<object, object> Volume(Dictionary<object, object> workload, string name) =>
        List(PodSpec(workload), "volumes").Cast<Dictionary<object, object>>().Single(v => (string)v["name"] == name);

    /// <summary>The containerPort of a container's port with the given name.</summary>
    public static string ContainerPort(Dictionary<object, object> container, string name) =>
        (string)List(container, "ports").Cast<Dictionary<object, object>>().Single(p => (string)p["name"] == name)["containerPort"];

    private static List<Dictionary<object, object>> Parse(string yaml)
    {
        var deserializer = new DeserializerBuilder().Build();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        var documents = new List<Dictionary<object, object>>();
        while (parser.Accept<DocumentStart>(out _))
        {
            documents.Add(deserializer.Deserialize<Dictionary<object, object>>(parser));
        }
        return documents;
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Distributed.sln")))
            {
                return directory.FullName;
            }
        }
        throw new InvalidOperationException($"no Distributed.sln above {AppContext.BaseDirectory}");
    }
}

/// <summary>Runs a command-line tool and captures its output; a missing tool fails the test with its name and how to get it.</summary>
internal static class Tool
{
    private static readonly Dictionary<string, string> s_install = new()
    {
        // Debian 12's kubernetes-client package is too old for kustomize components (k8s/components/gpu).
        ["kubectl"] = "install a current official kubectl binary from dl.k8s.io and put it on PATH (Debian 12's kubernetes-client is too old for kustomize components); scripts/setup.sh says how",
        ["promtool"] = "bash scripts/setup.sh installs it (Debian package prometheus)",
    };

    public static (int ExitCode, string Output, string Error) Run(string fileName, IEnumerable<string> arguments)
    {
        var start = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            var install = s_install.TryGetValue(fileName, out var how) ? how : "bash scripts/setup.sh installs it";
            throw new InvalidOperationException($"'{fileName}' is needed by this test and could not be started ({e.Message}); {install}", e);
        }
        using (process)
        {
            var error = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            Assert.True(process.WaitForExit(TimeSpan.FromSeconds(60)), $"{fileName} did not finish within 60 s");
            return (process.ExitCode, output, error.Result);
        }
    }
}
