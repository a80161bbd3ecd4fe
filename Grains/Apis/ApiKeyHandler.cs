using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace Distributed.Grains.Apis;

/// <summary>
/// Authenticates <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-Api-Key: &lt;key&gt;</c> against
/// <see cref="ApiKeyOptions.Key"/>. Compares SHA-256 digests in constant time, so neither the key's
/// content nor its length leaks through response timing. No key: 401 with a Bearer challenge; a
/// wrong key: 403.
/// </summary>
internal sealed class ApiKeyHandler(IOptionsMonitor<AuthenticationSchemeOptions> schemes, ILoggerFactory logger, UrlEncoder encoder, IOptions<ApiKeyOptions> apiKey)
    : AuthenticationHandler<AuthenticationSchemeOptions>(schemes, logger, encoder)
{
    /// <summary>The header some clients find simpler than <c>Authorization</c>.</summary>
    public const string KeyHeader = "X-Api-Key";

    private const string BearerPrefix = "Bearer ";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (apiKey.Value.Key is not { } expected)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (PresentedKey() is not { } presented)
        {
            return Task.FromResult(AuthenticateResult.NoResult());
        }
        if (!CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(expected))))
        {
            return Task.FromResult(AuthenticateResult.Fail("wrong API key"));
        }
        var identity = new ClaimsIdentity([new Claim(ClaimTypes.Name, "api-key")], Scheme.Name);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), Scheme.Name)));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (PresentedKey() is not null)
        {
            // A key was given and it is not the one: the caller is known to be wrong, not anonymous.
            Response.StatusCode = StatusCodes.Status403Forbidden;
            return Task.CompletedTask;
        }
        Response.Headers.WWWAuthenticate = "Bearer";
        return base.HandleChallengeAsync(properties);
    }

    /// <summary>The key the request carries, or null when it carries none.</summary>
    private string? PresentedKey()
    {
        if (Request.Headers.TryGetValue(KeyHeader, out var header) && !StringValues.IsNullOrEmpty(header))
        {
            return header.ToString().Trim();
        }
        var authorization = Request.Headers.Authorization.ToString();
        return authorization.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase) ? authorization[BearerPrefix.Length..].Trim()
            : authorization.Length > 0 ? authorization
            : null;
    }
}
