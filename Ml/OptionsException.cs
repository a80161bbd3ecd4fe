using System.Text;

namespace Distributed.Ml;

/// <summary>
/// An option value the user chose is invalid or names an algorithm this build does not have. The
/// library names the settings in its own words (<see cref="PipelineSettings.Name"/>); a host that
/// spells them otherwise (a command line's flags) rewrites the message with <see cref="Describe"/>.
/// </summary>
public sealed class OptionsException : Exception
{
    /// <summary>Creates the exception from a one-line template whose <c>{0}</c>, <c>{1}</c>, ... stand for <paramref name="settings"/>.</summary>
    /// <param name="template">The problem, e.g. <c>"{0} must be at least 2, got 1"</c>.</param>
    /// <param name="settings">The settings the template names, in placeholder order.</param>
    public OptionsException(string template, params PipelineSetting[] settings)
        : base(Fill(template, settings, PipelineSettings.Name))
    {
        Template = template;
        Settings = settings;
    }

    /// <summary>The message with its settings still as placeholders.</summary>
    public string Template { get; }

    /// <summary>The settings the message names.</summary>
    public IReadOnlyList<PipelineSetting> Settings { get; }

    /// <summary>The message with each setting spelled by <paramref name="name"/>.</summary>
    public string Describe(Func<PipelineSetting, string> name) => Fill(Template, Settings, name);

    private static string Fill(string template, IReadOnlyList<PipelineSetting> settings, Func<PipelineSetting, string> name)
    {
        ArgumentNullException.ThrowIfNull(template);
        ArgumentNullException.ThrowIfNull(name);
        var text = new StringBuilder(template);
        for (var i = 0; i < settings.Count; i++)
        {
            text.Replace($"{{{i}}}", name(settings[i]));
        }
        return text.ToString();
    }
}
