namespace Distributed.Grains.Apis;

/// <summary>Who may use the admin endpoints (model reload, the Orleans dashboard).</summary>
public sealed class AdminOptions
{
    /// <summary>Shortest token accepted: a guessable token is no protection.</summary>
    public const int MinimumTokenLength = 16;

    /// <summary>
    /// The bearer token admin requests must carry (<c>Authorization: Bearer &lt;token&gt;</c>). Default:
    /// none, and the admin endpoints are open, as on a developer's machine; set it wherever other
    /// services can reach the host.
    /// </summary>
    public string? Token { get; set; }

    /// <summary>Throws <see cref="ArgumentException"/> for a token that is set but too short.</summary>
    public void Validate()
    {
        if (Token is { } token && token.Length < MinimumTokenLength)
        {
            throw new ArgumentException($"the admin token must be at least {MinimumTokenLength} characters, got {token.Length}");
        }
    }
}
