using System.IO.Compression;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;

namespace Distributed.Grains.Tests.Storage;

public class ArrayFilesTests
{
    [Fact]
    public void ReadsNpyIdxGzipAndCsvAlike()
    {
        using var temp = new TempDirectory();
        var (pixels, labels) = SyntheticImages.Make(2, 2, seed: 3);
        var (npy, _) = SyntheticImages.Write(temp.Path, perClass: 2, classes: 2, seed: 3);

        var idx = temp.File("images-idx3-ubyte.gz");
        using (var gzip = new GZipStream(File.Create(idx), CompressionLevel.Fastest))
        {
            gzip.Write([0, 0, 0x08, 3, 0, 0, 0, 4, 0, 0, 0, 28, 0, 0, 0, 28]);
            gzip.Write(pixels);
        }
        var csv = temp.File("images.csv");
        File.WriteAllLines(csv, [
            "label," + string.Join(',', Enumerable.Range(0, 784).Select(i => $"pixel{i}")),
            .. Enumerable.Range(0, 4).Select(i => labels[i] + "," + string.Join(',', pixels.Skip(i * 784).Take(784))),
        ]);

        var expected = ArrayFiles.LoadImages(npy).Data;
        Assert.Equal(expected, ArrayFiles.LoadImages(idx).Data);
        Assert.Equal(expected, ArrayFiles.LoadImages(csv).Data);
        Assert.Equal(labels.Select(l => (int)l), ArrayFiles.LoadLabels(csv));
    }

    [Fact]
    public void ReadsAShardOfANpyFile()
    {
        using var temp = new TempDirectory();
        var (npy, _) = SyntheticImages.Write(temp.Path, perClass: 10, classes: 3);
        var all = ArrayFiles.LoadImages(npy);
        var shard = ArrayFiles.LoadImageShard(npy, 7, 5);
        Assert.Equal(all.RowBlock(7, 5).ToArray(), shard.Data);
        Assert.Equal(30, ArrayFiles.CountImages(npy));
        Assert.Contains("outside", Assert.Throws<InputFileException>(() => ArrayFiles.LoadImageShard(npy, 28, 5)).Message);
    }

    [Theory]
    [InlineData("missing.npy", null, "file not found")]
    [InlineData("empty.npy", "", "file is empty")]
    [InlineData("text.bin", "hello", "unrecognised format")]
    public void ErrorsNameTheFileAndTheProblem(string name, string? content, string problem)
    {
        using var temp = new TempDirectory();
        var path = temp.File(name);
        if (content is not null)
        {
            File.WriteAllText(path, content);
        }
        var error = Assert.Throws<InputFileException>(() => ArrayFiles.LoadImages(path));
        Assert.StartsWith(path + ": ", error.Message);
        Assert.Contains(problem, error.Message);
    }

    [Fact]
    public void DecoderProblemsAreReportedWithThePath()
    {
        using var temp = new TempDirectory();
        var path = temp.File("wrong-size.npy");
        using (var file = File.Create(path))
        {
            NpyWriter.Write(file, new byte[2 * 32 * 32], 2, 32, 32);
        }
        var error = Assert.Throws<InputFileException>(() => ArrayFiles.LoadImages(path));
        Assert.Equal($"{path}: wrong image size: shape (2, 32, 32), expected 28×28 grayscale images as {ImageShape.AcceptedLayouts}", error.Message);
    }
}
