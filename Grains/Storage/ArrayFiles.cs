using System.IO.Compression;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Storage;

/// <summary>
/// Opens the image and label files users give: <c>.npy</c>, MNIST IDX (plain or gzip) and CSV,
/// recognised by content first and extension second. Every failure names the file.
/// </summary>
public static class ArrayFiles
{
    private static readonly byte[] s_npyMagic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads images and normalises them to [0, 1], one row of 784 pixels per image.</summary>
    /// <exception cref="InputFileException">Missing, unreadable or malformed file.</exception>
    public static Matrix LoadImages(string path) => Guard(path, () => Open(path) switch
    {
        (FileKind.Csv, var stream) => Using(stream, s => ImageDecoder.Decode(CsvReader.Read(new StreamReader(s)))),
        var (kind, stream) => Using(stream, s => ImageDecoder.Decode(ReadArray(kind, s))),
    });

    /// <summary>
    /// Reads images for the shard store: a <c>uint8</c> file (MNIST's IDX and <c>.npy</c>) keeps its
    /// bytes, normalised only when read back; any other file is normalised as <see cref="LoadImages"/> does.
    /// </summary>
    /// <exception cref="InputFileException">Missing, unreadable or malformed file.</exception>
    public static ImagePixels LoadImagePixels(string path) => Guard(path, () => Open(path) switch
    {
        (FileKind.Csv, var stream) => Using(stream, s => Normalised(ImageDecoder.Decode(CsvReader.Read(new StreamReader(s))))),
        var (kind, stream) => Using(stream, s =>
        {
            var array = ReadArray(kind, s);
            // Every byte is a valid pixel: the shape is all there is to check.
            return array.DType == NpyDType.UInt8
                ? new ImagePixels(ImageDecoder.ImageCount(array.Shape, array.ShapeText), array.Bytes, null)
                : Normalised(ImageDecoder.Decode(array));
        }),
    });

    private static ImagePixels Normalised(Matrix images) => new(images.Rows, null, images);

    /// <summary>Reads one integer label per image (npy, IDX, or the <c>label</c> column of a CSV).</summary>
    /// <exception cref="InputFileException">Missing, unreadable or malformed file.</exception>
    public static int[] LoadLabels(string path) => Guard(path, () => Open(path) switch
    {
        (FileKind.Csv, var stream) => Using(stream, s => CsvLabels(CsvReader.Read(new StreamReader(s)))),
        var (kind, stream) => Using(stream, s => LabelDecoder.Decode(ReadArray(kind, s))),
    });

    /// <summary>Labels for the <paramref name="rows"/> images of <paramref name="imagesPath"/>; null when <paramref name="path"/> is null.</summary>
    /// <exception cref="InputFileException">The file is unusable or its label count differs from the image count.</exception>
    public static int[]? LoadLabelsFor(string? path, string imagesPath, int rows)
    {
        if (path is null)
        {
            return null;
        }
        var labels = LoadLabels(path);
        return labels.Length == rows ? labels : throw new InputFileException(path, $"has {labels.Length} labels but {imagesPath} has {rows} images");
    }

    /// <summary>Reads images [offset, offset + count) of a <c>.npy</c> file without loading the rest.</summary>
    /// <exception cref="InputFileException">Missing or malformed file, or a range outside it.</exception>
    public static Matrix LoadImageShard(string path, long offset, int count) => Guard(path, () =>
    {
        using var stream = File.OpenRead(path);
        var header = NpyHeader.Read(stream);
        var total = ImageDecoder.ImageCount(header.Shape, header.ShapeText);
        if (offset < 0 || count < 1 || offset + count > total)
        {
            throw new DataFormatException($"shard {offset}..{offset + count} lies outside the file's {total} images");
        }
        stream.Position = 0;
        return ImageDecoder.Decode(NpyReader.ReadRows(stream, offset, count));
    });

    /// <summary>Number of images in a <c>.npy</c> file, from its header alone.</summary>
    public static int CountImages(string path) => Guard(path, () =>
    {
        using var stream = File.OpenRead(path);
        var header = NpyHeader.Read(stream);
        return ImageDecoder.ImageCount(header.Shape, header.ShapeText);
    });

    private static NumericArray ReadArray(FileKind kind, Stream stream) =>
        kind == FileKind.Npy ? NpyReader.Read(stream) : IdxReader.Read(stream);

    private static int[] CsvLabels(CsvTable table) =>
        table.Labels ?? (table.Columns == 1 && table.Rows > 0
            ? Array.ConvertAll(table.Values, v => v == MathF.Floor(v) ? (int)v : throw new DataFormatException($"label {v} is not an integer"))
            : throw new DataFormatException("CSV has no 'label' column"));

    private enum FileKind
    {
        Npy,
        Idx,
        Csv,
    }

    /// <summary>Opens the file, unwrapping gzip, and decides its format from the first bytes.</summary>
    private static (FileKind Kind, Stream Stream) Open(string path)
    {
        Stream stream = File.OpenRead(path);
        try
        {
            Span<byte> head = stackalloc byte[6];
            var read = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
            if (read == 0)
            {
                throw new DataFormatException("file is empty");
            }
            stream.Position = 0;
            if (read >= 2 && head[0] == 0x1F && head[1] == 0x8B)
            {
                // gzip is read to memory: the decoders check sizes, which needs a seekable stream.
                var buffer = new MemoryStream();
                using (var gzip = new GZipStream(stream, CompressionMode.Decompress))
                {
                    gzip.CopyTo(buffer);
                }
                buffer.Position = 0;
                stream = buffer;
                read = buffer.Read(head);
                buffer.Position = 0;
            }
            if (read >= 6 && head.SequenceEqual(s_npyMagic))
            {
                return (FileKind.Npy, stream);
            }
            if (read >= 4 && head[0] == 0 && head[1] == 0 && head[2] is >= 0x08 and <= 0x0E)
            {
                return (FileKind.Idx, stream);
            }
            var extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
            return extension switch
            {
                ".csv" or ".txt" => (FileKind.Csv, stream),
                ".npy" => (FileKind.Npy, stream),
                _ => throw new DataFormatException("unrecognised format: expected .npy, MNIST IDX (optionally gzipped) or CSV with a header row"),
            };
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    private static T Using<T>(Stream stream, Func<Stream, T> read)
    {
        using (stream)
        {
            return read(stream);
        }
    }

    private static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (DataFormatException e)
        {
            throw new InputFileException(path, e.Message, e);
        }
        catch (FileNotFoundException e)
        {
            throw new InputFileException(path, "file not found", e);
        }
        catch (DirectoryNotFoundException e)
        {
            throw new InputFileException(path, "file not found", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new InputFileException(path, "permission denied", e);
        }
        catch (InvalidDataException e)
        {
            throw new InputFileException(path, $"corrupt gzip data ({e.Message})", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InputFileException(path, "truncated data", e);
        }
        catch (IOException e)
        {
            throw new InputFileException(path, $"cannot read: {e.Message}", e);
        }
    }
}
