using System.Text.Json;
using Distributed.Grains.Storage;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Jobs;

/// <summary>Scores saved assignments against true labels and writes the scores as JSON.</summary>
public static class EvaluationJob
{
    /// <summary>Reads both files, checks they match in length, computes accuracy, NMI and ARI, writes <paramref name="outputPath"/>.</summary>
    /// <exception cref="InputFileException">A file is unusable or the lengths differ.</exception>
    public static ExternalEvaluation Run(string assignmentsPath, string labelsPath, string outputPath)
    {
        var assignments = ArrayFiles.LoadLabels(assignmentsPath);
        var labels = ArrayFiles.LoadLabels(labelsPath);
        if (assignments.Length != labels.Length)
        {
            throw new InputFileException(labelsPath, $"has {labels.Length} labels but {assignmentsPath} has {assignments.Length} assignments");
        }
        var evaluation = ExternalEvaluation.Compute(labels, assignments);
        AtomicFile.Write(outputPath, s => JsonSerializer.Serialize(s, evaluation, Json.Options));
        return evaluation;
    }
}
