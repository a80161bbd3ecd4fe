namespace Distributed.Client;

/// <summary>A problem the user can fix (bad input, bad option, missing tool): reported in one line, exit code 1.</summary>
internal sealed class UserError : Exception
{
    public UserError(string message)
        : base(message)
    {
    }
}
