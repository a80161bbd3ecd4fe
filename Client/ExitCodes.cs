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

    /// <summary>Stopped by Ctrl-C (SIGINT): 128 + 2, as shells report it.</summary>
    public const int Interrupt = 130;

    /// <summary>Stopped by SIGTERM: 128 + 15.</summary>
    public const int Terminate = 143;
}
