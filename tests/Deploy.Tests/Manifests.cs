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

    public static Manifests Render(string overlay)
    {
        var directory = Path.Combine(RepositoryRoot, "k8s", "overlays", overlay);
        var (exitCode, output, error) = Tool.Run("kubectl", ["kustomize", directory]);
        Assert.True(exitCode == 0, $"kubectl kustomize {directory} failed ({exitCode}): {error}");
        return new Manifests(Parse(output));
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

/// <summary>Runs a command-line tool and captures its output; a missing tool fails the test with its name.</summary>
internal static class Tool
{
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
            throw new InvalidOperationException($"'{fileName}' is needed by this test and could not be started ({e.Message}); bash scripts/setup.sh installs it", e);
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
