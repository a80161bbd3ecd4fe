namespace Distributed.Grains.Apis;

/// <summary>The API key the admin endpoints (model reload, the Orleans dashboard) require.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Shortest key accepted: a guessable key is no protection.</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>
    /// The key admin requests must carry (<c>Authorization: Bearer &lt;key&gt;</c> or
    /// <c>X-Api-Key: &lt;key&gt;</c>). Default: none, and the admin endpoints are open, as on a
    /// developer's machine; set one wherever other services can reach the host.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// Whether <c>POST /v1/predict</c> needs the key too (<c>--require-key-for-predict</c>), for a
    /// predictor that other services reach over a network they do not control. Default: no, as the
    /// prediction changes nothing. Needs <see cref="Key"/>.
    /// </summary>
    public bool RequireForPredict { get; set; }

    /// <summary>
    /// Reads a key file (e.g. a mounted Kubernetes Secret): its content without surrounding
    /// whitespace, so a trailing newline from an editor or <c>echo</c> does not count.
    /// </summary>
    /// <exception cref="ArgumentException">The file is missing, unreadable, empty or holds too short a key.</exception>
    public static string ReadKeyFile(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        string key;
        try
        {
            key = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ArgumentException($"cannot read the API key file {path}: {e.Message}", e);
        }
        if (key.Length == 0)
        {
            throw new ArgumentException($"the API key file {path} is empty");
        }
        new ApiKeyOptions { Key = key }.Validate(path);
        return key;
    }

    /// <summary>Throws <see cref="ArgumentException"/> for a key that is set but too short.</summary>
    /// <param name="source">Where the key came from, for the message.</param>
    public void Validate(string source = "the API key")
    {
        if (Key is { } key && key.Length < MinimumKeyLength)
        {
            throw new ArgumentException($"{source}: the key must be at least {MinimumKeyLength} characters, got {key.Length}");
        }
        if (RequireForPredict && Key is null)
        {
            throw new ArgumentException("--require-key-for-predict needs an API key: give --api-key-file");
        }
    }
}
