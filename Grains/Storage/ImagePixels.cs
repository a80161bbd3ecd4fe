using Distributed.Ml.Numerics;

namespace Distributed.Grains.Storage;

/// <summary>
/// The images of an input file as the shard store keeps them: a <c>uint8</c> file's bytes as they
/// are (a quarter of the floats' size; they are divided by 255 when read, as
/// <see cref="Ml.Data.ImageDecoder"/> normalises them), or any other file's normalised floats.
/// Exactly one of <see cref="Bytes"/> and <see cref="Normalised"/> is set.
/// </summary>
/// <param name="Count">Images, one row of 784 pixels each.</param>
/// <param name="Bytes">The raw 0..255 pixels of a <c>uint8</c> file, row after row.</param>
/// <param name="Normalised">The pixels in [0, 1], for any other element type.</param>
public sealed record ImagePixels(int Count, byte[]? Bytes, Matrix? Normalised);
