using Distributed.Ml.Data;

namespace Distributed.Ml.Tests.Data;

public class IdxAndCsvTests
{
    [Fact]
    public void ReadsBigEndianIdxImagesAndLabels()
    {
        var images = new List<byte> { 0, 0, 0x08, 3, 0, 0, 0, 2, 0, 0, 0, 28, 0, 0, 0, 28 };
        images.AddRange(Enumerable.Range(0, 2 * 784).Select(i => (byte)(i % 256)));
        var array = IdxReader.Read(new MemoryStream([.. images]));
        Assert.Equal(new long[] { 2, 28, 28 }, array.Shape);
        Assert.Equal(2, ImageDecoder.Decode(array).Rows);

        var labels = IdxReader.Read(new MemoryStream([0, 0, 0x0C, 1, 0, 0, 0, 2, 0, 0, 0, 7, 0, 0, 1, 0]));
        Assert.Equal(new[] { 7, 256 }, labels.ToInt32());
    }

    [Theory]
    [InlineData(new byte[] { 1, 2, 3, 4 }, "bad magic")]
    [InlineData(new byte[] { 0, 0, 0x07, 1, 0, 0, 0, 1, 5 }, "unsupported IDX type")]
    [InlineData(new byte[] { 0, 0, 0x08, 1, 0, 0, 0, 5, 1, 2 }, "truncated")]
    [InlineData(new byte[] { 0, 0, 0x08, 1, 0, 0, 0, 1, 1, 2 }, "disagrees with the file size")]
    public void RejectsBadIdx(byte[] bytes, string expected)
    {
        var error = Assert.Throws<DataFormatException>(() => IdxReader.Read(new MemoryStream(bytes)));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void ReadsKaggleCsvWithAndWithoutLabels()
    {
        var header = "label," + string.Join(',', Enumerable.Range(0, 784).Select(i => $"pixel{i}"));
        var row = "7," + string.Join(',', Enumerable.Repeat("255", 784));
        var table = CsvReader.Read(new StringReader(header + "\n" + row + "\n" + row + "\n"));
        Assert.Equal(new[] { 7, 7 }, table.Labels);
        Assert.Equal(1f, ImageDecoder.Decode(table).Data[0]);

        var unlabelled = CsvReader.Read(new StringReader(header[6..] + "\n" + row[2..] + "\n"));
        Assert.Null(unlabelled.Labels);
        Assert.Equal(1, ImageDecoder.Decode(unlabelled).Rows);
    }

    [Theory]
    [InlineData("a,b\n1,2,3\n", "line 2: expected 2 values, found 3")]
    [InlineData("a,b\n1,x\n", "'x' is not a number")]
    [InlineData("1,2\n3,4\n", "no header row")]
    [InlineData("", "empty CSV")]
    [InlineData("label,a\n1.5,2\n", "not an integer")]
    public void RejectsBadCsv(string text, string expected)
    {
        var error = Assert.Throws<DataFormatException>(() => CsvReader.Read(new StringReader(text)));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void RejectsCsvWithWrongPixelCount()
    {
        var table = CsvReader.Read(new StringReader("a,b\n1,2\n"));
        Assert.Contains("wrong image size", Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(table)).Message);
    }
}
