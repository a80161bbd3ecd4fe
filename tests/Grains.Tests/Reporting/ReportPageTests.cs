using System.Text.Json.Nodes;
using Distributed.Grains.Reporting;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Tests.Reporting;

/// <summary>The report page's self-labelling section on a hand-made run whose changes are known.</summary>
public class ReportPageTests
{
    // Six images in two clusters; the CNN moved images 1 and 2 from cluster 0 to 1, and image 5 from 1 to 0.
    private static readonly int[] s_clusters = [0, 0, 0, 1, 1, 1];
    private static readonly int[] s_refined = [0, 1, 1, 1, 1, 0];
    private static readonly int[] s_truth = [0, 1, 1, 1, 1, 2];

    private static ReportData Data(int[]? refined, int rounds = 1) => new(
        new JsonObject
        {
            ["refine"] = "cnn", ["refine_confident_rows"] = 5, ["refine_rounds"] = rounds, ["refine_epochs"] = 2, ["refine_training_loss"] = new JsonArray(0.5, 0.25),
            ["accuracy"] = 0.5, ["nmi"] = 0.25, ["ari"] = 0.125, ["refine_accuracy"] = 0.875, ["refine_nmi"] = 0.75, ["refine_ari"] = 0.625,
        },
        s_clusters, refined, s_truth, [0, 1, 2, 3, 4, 5], new Matrix(6, 784), new Matrix(6, 2), new float[6], new float[6], null);

    [Fact]
    public void TheSelfLabellingSectionListsTheMovesLargestFirstWithTheirImagesAndTrueLabels()
    {
        var html = ReportPage.Render(Data(s_refined));

        Assert.Contains("<section id=\"refine\">", html, StringComparison.Ordinal);
        Assert.Contains("3 of 6 images got a label other than their cluster", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>After self-labelling</td><td>0.8750</td><td>0.7500</td><td>0.6250</td></tr>", html, StringComparison.Ordinal);
        Assert.Contains("alt=\"CNN loss per epoch\"", html, StringComparison.Ordinal);
        var largest = html.IndexOf("<tr><td>cluster 0</td><td>cluster 1</td><td>2</td><td>1 (2)</td></tr>", StringComparison.Ordinal);
        var smaller = html.IndexOf("<tr><td>cluster 1</td><td>cluster 0</td><td>1</td><td>2 (1)</td></tr>", StringComparison.Ordinal);
        Assert.True(largest > 0 && smaller > largest, "the moves are listed largest first");
        Assert.Contains("id=\"change-0-1\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"change-1-0\"", html, StringComparison.Ordinal);
    }

    [Fact]
    public void TheSelfLabellingSectionSaysWhatEachRoundTrainedOn()
    {
        Assert.Contains("A CNN trained on 5 confident images for 2 epoch(s) labelled every image", ReportPage.Render(Data(s_refined)), StringComparison.Ordinal);
        Assert.Contains("A CNN trained on 5 confident images, then a second CNN on every image with the labels of the one before (the last for 2 epoch(s)); "
            + "the 2 CNNs' probabilities, averaged, labelled every image", ReportPage.Render(Data(s_refined, rounds: 2)), StringComparison.Ordinal);
        Assert.Contains("A CNN trained on 5 confident images, then 2 more CNNs, each on every image with the labels of the one before (the last for 2 epoch(s)); "
            + "the 3 CNNs' probabilities, averaged, labelled every image", ReportPage.Render(Data(s_refined, rounds: 3)), StringComparison.Ordinal);
    }

    [Fact]
    public void WithoutRefinedLabelsThePageHasNoSelfLabellingSection()
    {
        var html = ReportPage.Render(Data(null));
        Assert.DoesNotContain("id=\"refine\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("id=\"change-", html, StringComparison.Ordinal);
    }
}
