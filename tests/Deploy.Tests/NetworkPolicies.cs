using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// Answers "may a pod with these labels, in this namespace, open a connection to that pod on this
/// port" from the rendered NetworkPolicies, the way a CNI enforces them: a pod that no ingress
/// policy selects accepts everything; one that some select accepts what any of their rules allows.
/// Only the forms the manifests use are evaluated (matchLabels, numeric ports); anything else fails
/// the test rather than being guessed at.
/// </summary>
internal sealed class NetworkPolicies(Manifests manifests)
{
    /// <summary>The namespace every object of the manifests is in.</summary>
    public const string Namespace = "labeller";

    private readonly List<Dictionary<object, object>> _ingressPolicies = manifests.OfKind("NetworkPolicy")
        .Where(p => List(Map(p, "spec"), "policyTypes").Count == 0 || List(Map(p, "spec"), "policyTypes").Contains("Ingress"))
        .ToList();

    /// <summary>A pod that opens a connection: its namespace and labels.</summary>
    public sealed record Peer(string Namespace, IReadOnlyDictionary<string, string> Labels)
    {
        public static Peer Of(Dictionary<object, object> workload) => new(NetworkPolicies.Namespace, StringLabels(PodLabels(workload)));

        public static Peer With(string space, params (string Key, string Value)[] labels) => new(space, labels.ToDictionary(l => l.Key, l => l.Value));
    }

    /// <summary>Whether <paramref name="from"/> may connect to the pods of <paramref name="workload"/> on <paramref name="port"/>.</summary>
    public bool Allows(Peer from, Dictionary<object, object> workload, int port)
    {
        var target = StringLabels(PodLabels(workload));
        var selecting = _ingressPolicies.Where(p => Selects(Map(p, "spec", "podSelector"), target)).ToList();
        return selecting.Count == 0 || selecting.Any(policy =>
            List(Map(policy, "spec"), "ingress").Cast<Dictionary<object, object>>().Any(rule => PortMatches(rule, port) && PeerMatches(rule, from)));
    }

    private static bool PortMatches(Dictionary<object, object> rule, int port)
    {
        var ports = List(rule, "ports").Cast<Dictionary<object, object>>().ToList();
        return ports.Count == 0 || ports.Any(p =>
        {
            Assert.True(int.TryParse(p["port"] as string, out var number), $"named port {p["port"]} in a NetworkPolicy is not evaluated by these tests");
            return number == port && (p.GetValueOrDefault("protocol") as string ?? "TCP") == "TCP";
        });
    }

    private static bool PeerMatches(Dictionary<object, object> rule, Peer from)
    {
        if (!rule.ContainsKey("from"))
        {
            return true;
        }
        return List(rule, "from").Cast<Dictionary<object, object>>().Any(peer =>
        {
            Assert.False(peer.ContainsKey("ipBlock"), "ipBlock peers are not evaluated by these tests");
            var namespaces = peer.GetValueOrDefault("namespaceSelector") as Dictionary<object, object>;
            var pods = peer.GetValueOrDefault("podSelector") as Dictionary<object, object>;
            // Without a namespaceSelector a peer means pods of the policy's own namespace.
            var namespaceMatches = namespaces is null
                ? from.Namespace == Namespace
                : Selects(namespaces, new Dictionary<string, string> { ["kubernetes.io/metadata.name"] = from.Namespace });
            return namespaceMatches && (pods is null || Selects(pods, from.Labels));
        });
    }

    private static bool Selects(Dictionary<object, object> selector, IReadOnlyDictionary<string, string> labels)
    {
        Assert.False(selector.ContainsKey("matchExpressions"), "matchExpressions selectors are not evaluated by these tests");
        var required = selector.GetValueOrDefault("matchLabels") as Dictionary<object, object> ?? [];
        return required.All(pair => labels.TryGetValue((string)pair.Key, out var value) && value == (string)pair.Value);
    }

    private static Dictionary<string, string> StringLabels(Dictionary<object, object> labels) =>
        labels.ToDictionary(pair => (string)pair.Key, pair => (string)pair.Value);
}
