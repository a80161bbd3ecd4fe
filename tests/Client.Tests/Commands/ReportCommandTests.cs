using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Distributed.Ml.Data;

namespace Distributed.Client.Tests.Commands;

/// <summary>
/// <c>report.html</c>: written by every run, rebuilt by <c>report</c> byte for byte, one
/// self-contained page with every section, checked in a real browser (headless Chromium): every
/// image decodes and nothing is fetched.
/// </summary>
public sealed partial class ReportCommandTests : IDisposable
{
    private const int Images = 150;
    private static readonly string[] s_sections = ["summary", "training", "embedding", "sizes", "confusion", "galleries", "refine", "rebalancing"];
    private static readonly TimeSpan s_browserTimeout = TimeSpan.FromSeconds(60);
    private readonly string _directory = Directory.CreateTempSubdirectory("report-test-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void EveryRunWritesTheReportAndReportRebuildsTheSamePage()
    {
        var (images, labels, output) = Run();
        var report = Path.Combine(output, "report.html");
        var first = File.ReadAllBytes(report);
        var html = System.Text.Encoding.UTF8.GetString(first);

        Assert.Equal(s_sections, SectionIds().Matches(html).Select(m => m.Groups[1].Value));
        Assert.Equal(3, GalleryIds().Matches(html).Count);
        Assert.Contains("majority label", html, StringComparison.Ordinal);
        Assert.Contains("alt=\"CNN loss per epoch\"", html, StringComparison.Ordinal);
        // Self-contained: every image inline, no address outside the page.
        Assert.DoesNotContain("http://", html, StringComparison.Ordinal);
        Assert.DoesNotContain("https://", html, StringComparison.Ordinal);
        Assert.All(ImageSources().Matches(html), m => Assert.StartsWith("data:image/png;base64,", m.Groups[1].Value, StringComparison.Ordinal));
        Assert.True(first.Length < 5_000_000, $"{first.Length} bytes");

        var (code, stdout, stderr) = CliRunner.Run("report", output, "--images", images, "--labels", labels);
        Assert.True(code == 0, stderr);
        Assert.Contains("report.html", stdout, StringComparison.Ordinal);
        // Plots and galleries are deterministic for the run's seed.
        Assert.Equal(first, File.ReadAllBytes(report));
    }

    [Fact]
    public void NamedClustersReachTheReportAndPredict()
    {
        var (images, labels, output) = Run();
        var model = Path.Combine(output, "model");
        var (code, _, stderr) = CliRunner.Run("predict", model, images, "--out", Path.Combine(_directory, "p.npy"), "--names", Path.Combine(_directory, "p.txt"));
        Assert.Equal(1, code);
        Assert.Contains("have no names yet", stderr, StringComparison.Ordinal);

        (code, _, stderr) = CliRunner.Run("name", output, "--names", "0=zero,0=nought");
        Assert.Equal(1, code);
        Assert.Equal("error: --names: cluster 0 is named twice", stderr.Trim());

        (code, var stdout, stderr) = CliRunner.Run("name", output, "--names", "0=zero,1=one,2=two");
        Assert.True(code == 0, stderr);
        Assert.StartsWith("named 3 cluster(s): model version ", stdout, StringComparison.Ordinal);
        (code, _, stderr) = CliRunner.Run("predict", model, images, "--out", Path.Combine(_directory, "p.npy"), "--names", Path.Combine(_directory, "p.txt"));
        Assert.True(code == 0, stderr);
        var names = File.ReadAllLines(Path.Combine(_directory, "p.txt"));
        Assert.Equal(Images, names.Length);
        Assert.Subset(new HashSet<string> { "zero", "one", "two" }, names.ToHashSet());

        (code, _, stderr) = CliRunner.Run("report", output, "--images", images, "--labels", labels);
        Assert.True(code == 0, stderr);
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        Assert.Contains("<h3>cluster 0: zero</h3>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void ReportOfADirectoryThatHoldsNoRunIsAOneLineError()
    {
        var (images, _, _) = Run();
        var (code, _, stderr) = CliRunner.Run("report", Path.Combine(_directory, "nothing-here"), "--images", images);
        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: ", line, StringComparison.Ordinal);
        Assert.Contains("metrics.json", line, StringComparison.Ordinal);
    }

    [Fact]
    public void ChromiumDecodesEveryImageAndFetchesNothing()
    {
        var browser = FindChromium() ?? throw new InvalidOperationException("chromium is not on PATH (Debian package chromium; .ci/run and scripts/setup.sh install it)");
        var (_, _, output) = Run();
        var html = File.ReadAllText(Path.Combine(output, "report.html"));
        // The page as written, plus a check that runs once everything has loaded and writes its findings into the DOM.
        var checkedPage = Path.Combine(_directory, "checked.html");
        File.WriteAllText(checkedPage, html.Replace("</body>", CheckScript + "</body>", StringComparison.Ordinal));

        var dom = DumpDom(browser, checkedPage);
        var found = CheckResult().Match(dom);
        Assert.True(found.Success, $"the check did not run:\n{dom[..Math.Min(dom.Length, 2000)]}");
        using var result = JsonDocument.Parse(System.Net.WebUtility.HtmlDecode(found.Groups[1].Value));
        var root = result.RootElement;
        Assert.Equal(s_sections, root.GetProperty("sections").EnumerateArray().Select(s => s.GetString()));
        Assert.True(root.GetProperty("images").GetInt32() >= 10, root.ToString());
        Assert.Empty(root.GetProperty("broken").EnumerateArray());
        Assert.Empty(root.GetProperty("fetched").EnumerateArray());
    }

    /// <summary>Runs on the page's load event: what a reader would see missing.</summary>
    private const string CheckScript = """
        <script>
        window.addEventListener('load', () => {
          const images = [...document.images];
          const result = {
            sections: [...document.querySelectorAll('section')].map(s => s.id),
            images: images.length,
            broken: images.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt),
            fetched: performance.getEntriesByType('resource').map(e => e.name).filter(n => !n.startsWith('data:')),
          };
          const pre = document.createElement('pre');
          pre.id = 'report-check';
          pre.textContent = JSON.stringify(result);
          document.body.appendChild(pre);
        });
        </script>
        """;

    /// <summary>A PCA → k-means run on three kinds of synthetic images, with labels; returns the inputs and the output directory.</summary>
    private (string Images, string Labels, string Output) Run()
    {
        var images = Path.Combine(_directory, "images.npy");
        var labels = Path.Combine(_directory, "labels.npy");
        if (!File.Exists(images))
        {
            var pixels = new byte[Images * 784];
            for (var i = 0; i < Images; i++)
            {
                for (var p = 0; p < 784; p++)
                {
                    pixels[i * 784 + p] = (byte)((p / 28 / 9 == i % 3 ? 200 : 10) + (i * 7 + p * 13) % 30);
                }
            }
            using (var file = File.Create(images))
            {
                NpyWriter.Write(file, pixels, Images, 784);
            }
            using (var file = File.Create(labels))
            {
                NpyWriter.Write(file, Enumerable.Range(0, Images).Select(i => (byte)(i % 3)).ToArray(), Images);
            }
        }
        var output = Path.Combine(_directory, "out");
        var (code, _, stderr) = CliRunner.Run("run", images, "--out", output, "--clusters", "3", "--features", "pca", "--reduce", "none", "--method", "kmeans",
            "--pca-components", "8", "--trees", "10", "--labels", labels, "--in-process", "--quiet");
        Assert.True(code == 0, stderr);
        return (images, labels, output);
    }

    private static string DumpDom(string browser, string page)
    {
        // Root in a container needs --no-sandbox; every host name resolves to nothing, so a fetch
        // the page tried would fail visibly (a broken image) as well as show in the resource list.
        var start = new ProcessStartInfo(browser, ["--headless", "--no-sandbox", "--disable-gpu", "--host-resolver-rules=MAP * ~NOTFOUND",
            "--virtual-time-budget=10000", "--dump-dom", new Uri(page).AbsoluteUri])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(s_browserTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"chromium did not render {page} within {s_browserTimeout.TotalSeconds} s");
        }
        return stdout.Result;
    }

    private static string? FindChromium() =>
        new[] { "chromium", "chromium-browser", "google-chrome" }
            .SelectMany(name => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Select(directory => Path.Combine(directory, name)))
            .FirstOrDefault(File.Exists);

    [GeneratedRegex("<section id=\"(\\w+)\"")]
    private static partial Regex SectionIds();

    [GeneratedRegex("<div class=\"gallery\" id=\"cluster-\\d+\"")]
    private static partial Regex GalleryIds();

    [GeneratedRegex("<img [^>]*src=\"([^\"]*)\"")]
    private static partial Regex ImageSources();

    [GeneratedRegex("<pre id=\"report-check\">(.*?)</pre>", RegexOptions.Singleline)]
    private static partial Regex CheckResult();
}
