using System.Runtime.InteropServices;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Grains.Cluster.Store;

/// <summary>
/// The shared store directory: images, intermediate arrays and models addressed by references
/// (paths relative to the root, '/'-separated). Every write is atomic, so a retried or duplicated
/// piece of work rewrites the same content and a reader never sees half a file.
/// </summary>
public sealed class ShardStore
{
    private readonly IStoreFaults? _faults;

    /// <summary>Opens (and creates) the store at <paramref name="root"/>.</summary>
    /// <param name="root">The store's directory.</param>
    /// <param name="durability">Whether writes are synced to disk; see <see cref="StoreDurability"/>.</param>
    /// <param name="faults">Injected write failures, for tests; null in production.</param>
    /// <exception cref="ArgumentException"><paramref name="root"/> is an existing file.</exception>
    public ShardStore(string root, StoreDurability durability = StoreDurability.Synced, IStoreFaults? faults = null)
    {
        CheckRoot(root);
        Root = Path.GetFullPath(root);
        Directory.CreateDirectory(Root);
        Durability = durability;
        _faults = faults;
    }

    /// <summary>Whether this store's writes are synced to disk.</summary>
    public StoreDurability Durability { get; }

    /// <summary>Refuses a store path that is blank or names a file, with a message for the user.</summary>
    /// <exception cref="ArgumentException">The path is blank or an existing file.</exception>
    public static void CheckRoot(string root)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        if (File.Exists(root))
        {
            throw new ArgumentException($"--store {root} is a file; the store is a directory");
        }
    }

    /// <summary>
    /// Refuses, with a message for the user, a store this process cannot create or write (a
    /// read-only mount, a path under a file, no permission): found at start rather than by the
    /// first job.
    /// </summary>
    /// <exception cref="ArgumentException">The path is blank, a file, or not writable.</exception>
    public static void CheckWritable(string root)
    {
        CheckRoot(root);
        try
        {
            Directory.CreateDirectory(root);
            var probe = Path.Combine(root, $".write-probe-{Guid.NewGuid():N}");
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"--store {root}: cannot write there: {e.Message}", e);
        }
    }

    /// <summary>Absolute path of the store.</summary>
    public string Root { get; }

    /// <summary>The store's folder of job directories.</summary>
    public const string JobsFolder = "jobs";

    /// <summary>Reference of a job's directory.</summary>
    public static string JobRef(Guid jobId) => $"{JobsFolder}/{jobId:N}";

    /// <summary>Bytes of the file or directory tree at <paramref name="path"/>; 0 when it is gone.</summary>
    public static long BytesOf(string path) =>
        Directory.Exists(path) ? new DirectoryInfo(path).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length)
        : File.Exists(path) ? new FileInfo(path).Length
        : 0;

    /// <summary>Removes the file or directory tree at <paramref name="path"/>.</summary>
    public static void Remove(string path)
    {
        if (Directory.Exists(path))
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    /// <summary>Absolute path of a reference; refuses references that leave the store.</summary>
    public string PathOf(string reference)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reference);
        var full = Path.GetFullPath(Path.Combine(Root, reference));
        if (!full.StartsWith(Root + Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            throw new ArgumentException($"store reference '{reference}' points outside the store {Root}", nameof(reference));
        }
        return full;
    }

    /// <summary>Whether the referenced file exists.</summary>
    public bool Exists(string reference) => File.Exists(PathOf(reference));

    /// <summary>
    /// Reads a matrix (n×d .npy): float32 as stored, or image shards kept as a <c>uint8</c> input's
    /// bytes (<see cref="WriteImages"/>), decoded by <see cref="ImageDecoder"/> as the input file
    /// decoded whole is, so they read as the same floats.
    /// </summary>
    public Matrix ReadMatrix(string reference) => Read(reference, stream =>
    {
        if (IsPixelBytes(stream))
        {
            return ImageDecoder.Decode(NpyReader.Read(stream));
        }
        var (shape, values) = NpyReader.ReadSingle(stream);
        if (shape.Length != 2)
        {
            throw new DataFormatException($"expected a 2-d array, got {shape.Length} dimensions");
        }
        return new Matrix((int)shape[0], (int)shape[1], values);
    });

    /// <summary>
    /// Reads a matrix as <see cref="ReadMatrix"/> does (float32, or pixel bytes normalised by the
    /// input's rule), in blocks of <paramref name="blockRows"/> rows through one buffer: each block
    /// goes to <paramref name="visit"/> with the index of its first row and the matrix's row count,
    /// and is overwritten by the next (the last may be shorter). For work done block by block, such
    /// as encoding an image shard: its memory is the block's, not a fresh matrix of the whole shard
    /// on every call.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed, not 2-d, or neither float32 nor pixel bytes.</exception>
    public void ReadMatrixBlocks(string reference, int blockRows, Action<Matrix, int, int> visit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockRows);
        ArgumentNullException.ThrowIfNull(visit);
        Read(reference, stream =>
        {
            var header = NpyReader.ReadRowsHeader(stream);
            var pixels = header.DType == NpyDType.UInt8;
            if (pixels)
            {
                ImageDecoder.ImageCount(header.Shape, header.ShapeText);
            }
            else if (header.Shape.Length != 2)
            {
                throw new DataFormatException($"expected a 2-d array, got {header.Shape.Length} dimensions");
            }
            else if (header.DType != NpyDType.Float32)
            {
                throw new DataFormatException($"expected float32 data or pixel bytes, got {header.DType.Descr()}");
            }
            var rows = checked((int)header.Shape[0]);
            var cols = checked((int)header.RowElements);
            var block = new Matrix(Math.Min(blockRows, rows), cols);
            var bytes = pixels ? new byte[block.Data.Length] : null;
            for (var first = 0; first < rows; first += block.Rows)
            {
                if (rows - first < block.Rows)
                {
                    block = new Matrix(rows - first, cols);
                }
                if (bytes is null)
                {
                    NpyReader.ReadNextRows(stream, header, MemoryMarshal.AsBytes(block.Data.AsSpan()));
                }
                else
                {
                    var part = bytes.AsSpan(0, block.Data.Length);
                    NpyReader.ReadNextRows(stream, header, part);
                    PixelBytes.Normalise(part, block.Data);
                }
                visit(block, first, rows);
            }
            return rows;
        });
    }

    /// <summary>Whether the array at the start of <paramref name="stream"/> holds pixel bytes; leaves the stream at its start.</summary>
    private static bool IsPixelBytes(Stream stream)
    {
        var dtype = NpyHeader.Read(stream).DType;
        stream.Position = 0;
        return dtype == NpyDType.UInt8;
    }

    /// <summary>The column count of a stored matrix, from its header alone.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or not 2-d.</exception>
    public int ReadMatrixColumns(string reference) => Read(reference, stream =>
    {
        var shape = NpyHeader.Read(stream).Shape;
        return shape.Length == 2 && shape[1] <= int.MaxValue
            ? (int)shape[1]
            : throw new DataFormatException($"expected a 2-d array, got shape {NpyHeader.FormatShape(shape)}");
    });

    /// <summary>
    /// Reads a matrix of <paramref name="rows"/> × <c>destination.Cols</c> (float32, or pixel bytes
    /// normalised as <see cref="ReadMatrix"/> does) straight into
    /// rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>) of
    /// <paramref name="destination"/>, without a matrix of its own in between (a shard into its place
    /// in a gathered sample or a concatenation).
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed or has another shape; the destination's rows then hold no meaning.</exception>
    public void ReadMatrixInto(string reference, Matrix destination, int firstRow, int rows)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var block = destination.Data.AsMemory(firstRow * destination.Cols, rows * destination.Cols);
        Read(reference, stream =>
        {
            if (!IsPixelBytes(stream))
            {
                return CheckShape(NpyReader.ReadSingleInto(stream, block.Span), rows, destination.Cols);
            }
            var pixels = NpyReader.Read(stream);
            CheckShape(pixels.Shape, rows, destination.Cols);
            PixelBytes.Normalise(pixels.Bytes, block.Span);
            return pixels.Shape;
        });
    }

    private static long[] CheckShape(long[] shape, int rows, int cols) =>
        shape.Length == 2 && shape[0] == rows && shape[1] == cols
            ? shape
            : throw new DataFormatException($"expected a {rows}×{cols} array, got {NpyHeader.FormatShape(shape)}");

    /// <summary>
    /// Writes images [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>)
    /// as an n×784 matrix, atomically: a <c>uint8</c> input's bytes as they are (a quarter of the
    /// floats' size, read back normalised by <see cref="ReadMatrix"/>), otherwise the normalised floats.
    /// </summary>
    public void WriteImages(string reference, ImagePixels images, int firstRow, int rows)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Bytes is { } bytes)
        {
            Write(reference, stream => NpyWriter.Write(stream, bytes.AsSpan(firstRow * ImageShape.Pixels, rows * ImageShape.Pixels), rows, ImageShape.Pixels));
        }
        else
        {
            WriteMatrix(reference, images.Normalised!, firstRow, rows);
        }
    }

    /// <summary>Writes a float32 matrix atomically.</summary>
    public void WriteMatrix(string reference, Matrix matrix) =>
        Write(reference, stream => NpyWriter.Write(stream, matrix.Data, matrix.Rows, matrix.Cols));

    /// <summary>Writes rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rows"/>) of <paramref name="source"/> as a matrix of their own, atomically, without copying them first.</summary>
    public void WriteMatrix(string reference, Matrix source, int firstRow, int rows)
    {
        ArgumentNullException.ThrowIfNull(source);
        Write(reference, stream => NpyWriter.Write(stream, source.RowBlock(firstRow, rows), rows, source.Cols));
    }

    /// <summary>Reads int32 labels.</summary>
    public int[] ReadLabels(string reference) => Read(reference, stream => NpyReader.Read(stream).ToInt32());

    /// <summary>Writes int32 labels atomically.</summary>
    public void WriteLabels(string reference, int[] labels) =>
        Write(reference, stream => NpyWriter.Write(stream, labels, labels.Length));

    /// <summary>Writes any binary content atomically.</summary>
    public void Write(string reference, Action<Stream> write)
    {
        var path = PathOf(reference);
        _faults?.BeforeWrite(path);
        AtomicFile.Write(path, write, Durability == StoreDurability.Synced);
    }

    /// <summary>Writes a directory atomically (see <see cref="AtomicFile.WriteDirectory"/>).</summary>
    public void WriteDirectory(string reference, Action<string> fill)
    {
        var path = PathOf(reference);
        _faults?.BeforeWrite(path);
        AtomicFile.WriteDirectory(path, fill, Durability == StoreDurability.Synced);
    }

    /// <summary>Reads binary content; a malformed file is reported with its path as <see cref="InvalidDataException"/> (retrying cannot fix it).</summary>
    public T Read<T>(string reference, Func<Stream, T> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var path = PathOf(reference);
        using var stream = File.OpenRead(path);
        try
        {
            return read(stream);
        }
        catch (Exception e) when (e is DataFormatException or ModelFormatException or EndOfStreamException or InvalidDataException)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }
    }
}
