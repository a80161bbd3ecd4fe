namespace Distributed.Ml.Forest;

/// <summary>
/// Trees [<paramref name="FirstTree"/>, <paramref name="FirstTree"/> + Trees.Count) of a forest,
/// grown by one worker, with each tree's impurity-decrease feature importances.
/// </summary>
/// <param name="FirstTree">Index of the first tree in the whole forest.</param>
/// <param name="Trees">The trees in index order.</param>
/// <param name="Importances">Per tree, the impurity decrease per feature.</param>
public sealed record TreeGroup(int FirstTree, IReadOnlyList<DecisionTree> Trees, IReadOnlyList<double[]> Importances);
