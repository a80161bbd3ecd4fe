using System.CommandLine;
using Distributed.Grains.Jobs;

namespace Distributed.Client.Commands;

/// <summary><c>predict &lt;model-dir&gt; &lt;images&gt; --out &lt;file.npy&gt;</c>: clusters of new images from a saved bundle.</summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output)
    {
        var model = new Argument<string>("model-dir") { Description = "Model bundle directory written by run" };
        var images = new Argument<string>("images") { Description = "Images to classify (.npy, IDX or CSV)" };
        var outFile = new Option<string>("--out") { Description = "Cluster id per image (int32 .npy)", Required = true };
        var proba = new Option<string?>("--proba") { Description = "Class probabilities (float32 .npy, images × clusters)" };
        var names = new Option<string?>("--names") { Description = "Each image's cluster name, given with 'name' (.json: an array; otherwise a line per image)" };
        var command = new Command("predict", "Predict the cluster of each image with a saved model bundle") { model, images, outFile, proba, names };
        command.SetAction(parse =>
        {
            var prediction = PredictionJob.Run(parse.GetValue(model)!, parse.GetValue(images)!, parse.GetValue(outFile)!, parse.GetValue(proba), parse.GetValue(names));
            output.WriteLine($"wrote {prediction.Clusters.Length} predictions to {parse.GetValue(outFile)}");
            return ExitCodes.Success;
        });
        return command;
    }
}
