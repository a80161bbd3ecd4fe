using Distributed.Ml.Pipeline;

namespace Distributed.Ml.Tests;

public class OptionsExceptionTests
{
    [Fact]
    public void NamesSettingsInTheLibrarysWordsUnlessTheHostSpellsThem()
    {
        var error = Assert.Throws<OptionsException>(() => new PipelineOptions { Clusters = 1 }.Validate());
        Assert.Equal("clusters must be at least 2, got 1", error.Message);
        Assert.Equal([PipelineSetting.Clusters], error.Settings);
        Assert.Equal("-k must be at least 2, got 1", error.Describe(_ => "-k"));
    }

    [Fact]
    public void FillsEveryPlaceholderWithItsOwnSetting()
    {
        var error = new OptionsException("{1} before {0}, {1} again", PipelineSetting.Eps, PipelineSetting.MinSamples);
        Assert.Equal("min_samples before eps, min_samples again", error.Message);
        Assert.Equal("B before A, B again", error.Describe(setting => setting == PipelineSetting.Eps ? "A" : "B"));
        Assert.Equal("no setting named", new OptionsException("no setting named").Message);
    }

    [Fact]
    public void EverySettingHasALibraryName() =>
        Assert.All(Enum.GetValues<PipelineSetting>(), setting => Assert.NotEqual(setting.ToString(), PipelineSettings.Name(setting)));
}
