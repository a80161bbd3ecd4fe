namespace Distributed.Ml.Forest;

/// <summary>Impurity measure a tree minimises at each split.</summary>
public enum SplitCriterion
{
    /// <summary>Gini impurity 1 − Σ p².</summary>
    Gini,
    /// <summary>Shannon entropy −Σ p log₂ p.</summary>
    Entropy,
}
