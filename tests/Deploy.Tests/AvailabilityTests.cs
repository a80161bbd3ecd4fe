using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// What keeps jobs and the prediction API running through node drains and node loss: disruption
/// budgets for the coordinators, predictors and Redis, and coordinators spread over nodes.
/// </summary>
public sealed class AvailabilityTests
{
    [Theory]
    [InlineData("dev", "silo-coordinator")]
    [InlineData("dev", "silo-predictor")]
    [InlineData("production", "silo-coordinator")]
    [InlineData("production", "silo-predictor")]
    public void DrainsTakeOneReplicaAtATime(string overlay, string deployment)
    {
        var manifests = Render(overlay);
        var workload = manifests.Single("Deployment", deployment);

        var budget = Budget(manifests, workload);
        Assert.True(Map(budget, "spec").GetValueOrDefault("maxUnavailable") as string == "1", $"{Describe(budget)}: maxUnavailable is not 1 for {deployment}");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void DrainsWaitForTheOperatorToMoveRedis(string overlay)
    {
        var manifests = Render(overlay);

        var budget = Budget(manifests, manifests.Single("StatefulSet", "redis"));
        Assert.True(Map(budget, "spec").GetValueOrDefault("minAvailable") as string == "1", $"{Describe(budget)}: Redis's single replica is not kept through drains");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void CoordinatorsPreferDifferentNodes(string overlay)
    {
        var coordinator = Render(overlay).Single("Deployment", "silo-coordinator");

        var terms = List(Map(PodSpec(coordinator), "affinity", "podAntiAffinity"), "preferredDuringSchedulingIgnoredDuringExecution")
            .Cast<Dictionary<object, object>>()
            .Select(t => Map(t, "podAffinityTerm"));
        Assert.Contains(terms, term =>
            (string)term["topologyKey"] == "kubernetes.io/hostname"
            && Selects(Map(term, "labelSelector"), PodLabels(coordinator)));
    }

    /// <summary>The one PodDisruptionBudget whose selector matches a workload's pods.</summary>
    private static Dictionary<object, object> Budget(Manifests manifests, Dictionary<object, object> workload)
    {
        var budgets = manifests.OfKind("PodDisruptionBudget").Where(b => Selects(Map(b, "spec", "selector"), PodLabels(workload))).ToList();
        Assert.True(budgets.Count == 1, $"{Describe(workload)}: {budgets.Count} PodDisruptionBudgets select its pods, not 1");
        return budgets[0];
    }

    private static bool Selects(Dictionary<object, object> selector, Dictionary<object, object> labels)
    {
        Assert.False(selector.ContainsKey("matchExpressions"), "matchExpressions selectors are not evaluated by these tests");
        return Map(selector, "matchLabels").All(pair => labels.TryGetValue(pair.Key, out var value) && Equals(value, pair.Value));
    }
}
