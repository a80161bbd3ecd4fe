using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Xunit.Abstractions;

namespace Distributed.Grains.Tests.Storage;

/// <summary>
/// Seeded mutations (bit flips, truncation, inserted bytes, huge or odd header fields) of valid
/// .npy, IDX, CSV and bundle files, read through the product's loaders: each either loads or is
/// refused with the loader's one-line exception, never anything else, and no case runs long.
/// A failing case names its seed and index and is written beside the test's temporary files.
/// </summary>
public sealed class InputFuzzTests(ITestOutputHelper log) : IDisposable
{
    private const int ImageCases = 6_000;
    private const int BundleCases = 2_000;
    private static readonly TimeSpan s_caseLimit = TimeSpan.FromSeconds(5);
    private readonly TempDirectory _temp = new();
    private TimeSpan _slowest;

    public void Dispose() => _temp.Dispose();

    public static TheoryData<string> ImageFormats() => ["npy", "idx", "csv"];

    [Theory]
    [MemberData(nameof(ImageFormats))]
    public void MutatedImageFilesLoadOrAreRefusedInOneLine(string format)
    {
        var valid = ValidImages(format);
        var path = _temp.File($"case.{format}");
        var (loaded, refused) = (0, 0);
        var random = new Random(format.GetHashCode(StringComparison.Ordinal) & 0xffff);
        for (var i = 0; i < ImageCases; i++)
        {
            var bytes = i % 10 == 9 ? HugeHeader(format, random) : Apis.PredictorApiBadInputTests.Mutate(valid, random);
            File.WriteAllBytes(path, bytes);
            if (Load(() => ArrayFiles.LoadImages(path), bytes, format, i))
            {
                loaded++;
            }
            else
            {
                refused++;
            }
        }
        log.WriteLine($"{format}: {ImageCases} cases, {loaded} loaded, {refused} refused in one line; slowest {_slowest.TotalMilliseconds:0} ms");
    }

    [Fact]
    public void MutatedBundlesLoadOrAreRefusedInOneLine()
    {
        var source = TrainedModels.Instance.First;
        var bundle = _temp.File("bundle");
        var (loaded, refused) = (0, 0);
        var random = new Random(16);
        var stages = Directory.GetFiles(source, "*.bin").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray();
        for (var i = 0; i < BundleCases; i++)
        {
            if (Directory.Exists(bundle))
            {
                Directory.Delete(bundle, recursive: true);
            }
            Apis.PredictorApiTests.CopyDirectory(source, bundle);
            var manifestPath = Path.Combine(bundle, ModelBundle.ManifestFile);
            byte[] mutated;
            if (i % 2 == 0)
            {
                // A mutated stage file with the manifest's size and hash made to match, so the
                // stage's own decoder meets the damage rather than the integrity check.
                var stage = stages[random.Next(stages.Length)]!;
                var stagePath = Path.Combine(bundle, stage);
                mutated = Apis.PredictorApiBadInputTests.Mutate(File.ReadAllBytes(stagePath), random);
                File.WriteAllBytes(stagePath, mutated);
                var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!;
                foreach (var entry in manifest["stages"]!.AsArray())
                {
                    if (entry!["file"]!.GetValue<string>() == stage)
                    {
                        entry["bytes"] = mutated.Length;
                        entry["sha256"] = Convert.ToHexStringLower(SHA256.HashData(mutated));
                    }
                }
                File.WriteAllText(manifestPath, manifest.ToJsonString());
            }
            else
            {
                mutated = Apis.PredictorApiBadInputTests.Mutate(File.ReadAllBytes(manifestPath), random);
                File.WriteAllBytes(manifestPath, mutated);
            }
            if (Load(() => ModelBundle.Load(bundle), mutated, "bundle", i))
            {
                loaded++;
            }
            else
            {
                refused++;
            }
        }
        log.WriteLine($"bundle: {BundleCases} cases, {loaded} loaded, {refused} refused in one line; slowest {_slowest.TotalMilliseconds:0} ms");
    }

    /// <summary>True when it loaded, false when refused with a one-line product exception; fails the test otherwise.</summary>
    private bool Load(Func<object> load, byte[] bytes, string format, int index)
    {
        var clock = Stopwatch.StartNew();
        using var timing = new Timing(clock, elapsed => _slowest = elapsed > _slowest ? elapsed : _slowest);
        try
        {
            load();
            Assert.True(clock.Elapsed < s_caseLimit, Failure(bytes, format, index, $"took {clock.Elapsed.TotalSeconds:0.0} s"));
            return true;
        }
        catch (Exception e) when (e is InputFileException or ModelBundleException)
        {
            Assert.True(clock.Elapsed < s_caseLimit, Failure(bytes, format, index, $"took {clock.Elapsed.TotalSeconds:0.0} s to refuse"));
            Assert.False(e.Message.Contains('\n', StringComparison.Ordinal), Failure(bytes, format, index, $"a refusal of several lines: {e.Message}"));
            return false;
        }
        catch (Exception e)
        {
            Assert.Fail(Failure(bytes, format, index, $"{e.GetType().Name}: {e.Message}"));
            throw;
        }
    }

    private string Failure(byte[] bytes, string format, int index, string what)
    {
        var kept = _temp.File($"failing-{format}-{index}.bin");
        File.WriteAllBytes(kept, bytes);
        var regression = Path.Combine(Path.GetTempPath(), $"distributed-fuzz-{format}-{index}.bin");
        File.Copy(kept, regression, overwrite: true);
        return $"{format} case {index} (seeded, reproducible): {what}; the case is kept in {regression}";
    }

    private static byte[] ValidImages(string format)
    {
        var (pixels, _) = SyntheticImages.Make(1, 3, 1);
        using var stream = new MemoryStream();
        switch (format)
        {
            case "npy":
                NpyWriter.Write(stream, pixels, 3, 1, 28, 28);
                return stream.ToArray();
            case "idx":
                byte[] header = [0, 0, 0x08, 3, 0, 0, 0, 3, 0, 0, 0, 28, 0, 0, 0, 28];
                return [.. header, .. pixels];
            default:
                var text = new StringBuilder(string.Join(',', Enumerable.Range(0, 784).Select(i => $"pixel{i}"))).Append('\n');
                for (var row = 0; row < 3; row++)
                {
                    text.Append(string.Join(',', pixels.AsSpan(row * 784, 784).ToArray())).Append('\n');
                }
                return Encoding.ASCII.GetBytes(text.ToString());
        }
    }

    /// <summary>A header that claims far more than the file holds, or odd shapes.</summary>
    private static byte[] HugeHeader(string format, Random random)
    {
        long[] counts = [0, 1, 3, int.MaxValue, uint.MaxValue, long.MaxValue / 784, -1];
        var count = counts[random.Next(counts.Length)];
        switch (format)
        {
            case "npy":
                string[] shapes = [$"({count}, 784)", $"({count}, 28, 28)", $"({count},)", "()", $"(3, {count})", "(3, 28, 28, 1, 1)", $"({count}, 1, 28, 28)"];
                string[] types = ["|u1", "<f4", "<f8", "<i8", ">f4", "<U4", "|O"];
                var dictionary = $"{{'descr': '{types[random.Next(types.Length)]}', 'fortran_order': False, 'shape': {shapes[random.Next(shapes.Length)]}, }}\n";
                byte[] preamble = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)dictionary.Length, 0];
                return [.. preamble, .. Encoding.ASCII.GetBytes(dictionary), .. new byte[random.Next(3 * 784)]];
            case "idx":
                var dimensions = random.Next(1, 5);
                var header = new List<byte> { 0, 0, (byte)(random.Next(2) == 0 ? 0x08 : 0x0D), (byte)dimensions };
                for (var d = 0; d < dimensions; d++)
                {
                    var size = (uint)(d == 0 ? Math.Min(count, uint.MaxValue) : random.Next(2) == 0 ? 28 : random.Next());
                    header.AddRange([(byte)(size >> 24), (byte)(size >> 16), (byte)(size >> 8), (byte)size]);
                }
                return [.. header, .. new byte[random.Next(3 * 784)]];
            default:
                var columns = random.Next(2) == 0 ? 784 : random.Next(1, 2000);
                var line = string.Join(',', Enumerable.Range(0, columns).Select(i => $"pixel{i}"));
                var row = string.Join(',', Enumerable.Range(0, columns).Select(_ => random.Next(-5, 300).ToString(System.Globalization.CultureInfo.InvariantCulture)));
                return Encoding.ASCII.GetBytes(line + "\n" + row + "\n");
        }
    }

    private sealed class Timing(Stopwatch clock, Action<TimeSpan> done) : IDisposable
    {
        public void Dispose() => done(clock.Elapsed);
    }
}
