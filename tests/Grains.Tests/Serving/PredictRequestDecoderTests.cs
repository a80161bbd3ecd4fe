using Distributed.Grains.Serving;
using Distributed.Grains.Tests.Apis;
using MessagePack;
using static Distributed.Grains.Tests.Apis.ApiTestData;

namespace Distributed.Grains.Tests.Serving;

/// <summary>The MessagePack body decoder: the .npy path's scaling and refusals, and nothing but 4xx refusals for any bytes.</summary>
public sealed class PredictRequestDecoderTests
{
    private const int MaxImages = 8;
    private static readonly HashSet<string> s_reasons = [PredictRequestDecoder.MalformedBody, PredictRequestDecoder.BadShape, PredictRequestDecoder.BadValues, PredictRequestDecoder.TooManyImages];
    private readonly byte[] _pixels = TrainedModels.Instance.Pixels[..(3 * 784)];

    public static TheoryData<string> Scalings() => ["uint8", "float32 0..255", "float32 0..1", "float32 0..1 dark"];

    [Theory]
    [MemberData(nameof(Scalings))]
    public void MessagePackIsScaledExactlyAsTheSameNpy(string scaling)
    {
        float[] values = scaling switch
        {
            "float32 0..255" => [.. _pixels.Select(p => (float)p)],
            "float32 0..1" => [.. _pixels.Select(p => p / 255f)],
            // All values ≤ 1 but meant as 0..255: the float rule keeps them, the uint8 rule would not.
            "float32 0..1 dark" => [.. _pixels.Select(p => p % 2f)],
            _ => [],
        };
        var (messagePack, npy) = scaling == "uint8"
            ? (MsgPack(_pixels, 3, 28, 28), Npy(_pixels, 3, 28, 28))
            : (MsgPack(values, 3, 784), Npy(values, 3, 784));
        var fromMessagePack = PredictRequestDecoder.DecodeMessagePack(messagePack, MaxImages);
        var fromNpy = PredictRequestDecoder.DecodeNpy(npy, MaxImages);
        Assert.Equal((3, 784), (fromMessagePack.Rows, fromMessagePack.Cols));
        Assert.Equal(fromNpy.Data, fromMessagePack.Data);
    }

    [Fact]
    public void EveryTruncationOfABodyIsMalformed()
    {
        var body = MsgPack(_pixels[..784], 1, 784);
        for (var length = 0; length < body.Length; length++)
        {
            var refused = Assert.Throws<PredictRequestException>(() => PredictRequestDecoder.DecodeMessagePack(body.AsMemory(0, length), MaxImages));
            Assert.True(refused.Reason == PredictRequestDecoder.MalformedBody, $"{length} of {body.Length} bytes: {refused.Reason} {refused.Message}");
        }
    }

    public static TheoryData<string> HugeDeclarations() => ["bin 2 GiB", "shape array of 2^32-1", "map of 2^32-1", "dtype string of 2 GiB"];

    /// <summary>A few bytes that declare gigabytes are refused before anything that large is allocated.</summary>
    [Theory]
    [MemberData(nameof(HugeDeclarations))]
    public void DeclaredLengthsBeyondTheBodyAreRefusedWithoutAllocatingThem(string declaration)
    {
        byte[] body = declaration switch
        {
            "bin 2 GiB" => MsgPack((ref MessagePackWriter w) =>
            {
                w.WriteMapHeader(3);
                WriteShape(ref w, [1, 784]);
                w.Write("dtype");
                w.Write("uint8");
                w.Write("data");
                w.WriteRaw([0xc6, 0x7f, 0xff, 0xff, 0xff]); // bin 32 of 2^31-1 bytes (WriteBinHeader would reserve them)
                w.Write((byte)1);
            }),
            "shape array of 2^32-1" => [0x81, 0xa5, .. "shape"u8, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01],
            "map of 2^32-1" => [0xdf, 0xff, 0xff, 0xff, 0xff, 0xa5, .. "shape"u8],
            _ => [0x81, 0xa5, .. "dtype"u8, 0xdb, 0x7f, 0xff, 0xff, 0xff, (byte)'u'],
        };
        // First use builds the serializer's formatters; measure a later call only.
        PredictRequestDecoder.DecodeMessagePack(MsgPack(_pixels[..784], 1, 784), MaxImages);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var refused = Assert.Throws<PredictRequestException>(() => PredictRequestDecoder.DecodeMessagePack(body, MaxImages));
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(PredictRequestDecoder.MalformedBody, refused.Reason);
        Assert.Contains("declares a length longer than the body", refused.Message);
        // The exception and its message cost kilobytes; the declared length would cost gigabytes.
        Assert.True(allocated < 1 << 20, $"{allocated} bytes allocated to refuse a {body.Length}-byte body");
    }

    /// <summary>Seeded mutations and random bytes: a decoded matrix within the limits, or a 4xx refusal with a known reason; nothing else.</summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void FuzzedBodiesDecodeOrAreRefusedWithAKnownReason(int seed)
    {
        var random = new Random(seed);
        var valids = new[] { MsgPack(_pixels, 3, 28, 28), MsgPack([.. _pixels.Select(p => p / 255f)], 3, 784) };
        for (var i = 0; i < 3000; i++)
        {
            var body = PredictorApiBadInputTests.Mutate(valids[i % valids.Length], random);
            try
            {
                var images = PredictRequestDecoder.DecodeMessagePack(body, MaxImages);
                Assert.True(images.Rows is > 0 and <= MaxImages && images.Cols == 784, $"seed {seed} case {i}: {images.Rows}×{images.Cols}");
                Assert.True(images.Data.All(v => v is >= 0f and <= 1f), $"seed {seed} case {i}: a value outside [0, 1]");
            }
            catch (PredictRequestException e)
            {
                Assert.True(e.StatusCode is 400 or 413 && s_reasons.Contains(e.Reason), $"seed {seed} case {i}: {e.StatusCode} {e.Reason} {e.Message}");
            }
            catch (Exception e)
            {
                Assert.Fail($"seed {seed} case {i}: {e.GetType().Name} would be a 500: {e.Message}");
            }
        }
    }
}
