namespace Distributed.Client;

/// <summary>Process exit codes of the CLI.</summary>
internal static class ExitCodes
{
    public const int Success = 0;

    /// <summary>Bad input file, bad model bundle or bad option value.</summary>
    public const int UserError = 1;

    /// <summary>The command line itself did not parse.</summary>
    public const int Usage = 2;

    /// <summary>A bug: an exception the program did not expect (sysexits' EX_SOFTWARE).</summary>
    public const int InternalError = 70;
}
