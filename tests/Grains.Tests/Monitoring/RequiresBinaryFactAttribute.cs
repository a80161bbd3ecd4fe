namespace Distributed.Grains.Tests.Monitoring;

/// <summary>A fact that is skipped, saying why, when a program it needs is not on PATH.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresBinaryFactAttribute : FactAttribute
{
    public RequiresBinaryFactAttribute(string binary)
    {
        if (PrometheusBinaries.Find(binary) is null)
        {
            Skip = $"{binary} is not installed (Debian package 'prometheus'; scripts/setup.sh and .ci/run install it)";
        }
    }
}
