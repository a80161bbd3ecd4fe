namespace Distributed.Ml.Pipeline;

/// <summary>How the classifier's training rows are rebalanced between pseudo-label classes.</summary>
public enum RebalanceMethod
{
    /// <summary>Train on the rows as they are.</summary>
    None,
    /// <summary>SMOTE up to the largest class, then remove Tomek links (imblearn's <c>SMOTETomek</c>).</summary>
    SmoteTomek,
}
