using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Distributed.Grains.Apis;

/// <summary>
/// The admin policy: endpoints that change what a host serves or show its internals
/// (<c>POST /v1/model/reload</c>, <c>/dashboard</c>) require it with <c>RequireAuthorization(</c><see cref="AdminPolicy"/><c>)</c>.
/// With <see cref="ApiKeyOptions.Key"/> set, a request needs that key (401 without one, 403 with a
/// wrong one); without a key the policy lets every request through.
/// </summary>
public static class ApiKeyAuthorization
{
    /// <summary>Name of the authorization policy of admin endpoints.</summary>
    public const string AdminPolicy = "admin";

    /// <summary>Name of the authorization policy of <c>POST /v1/predict</c>: the key when <see cref="ApiKeyOptions.RequireForPredict"/>, else open.</summary>
    public const string PredictPolicy = "predict";

    /// <summary>Name of the authentication scheme.</summary>
    public const string Scheme = "ApiKey";

    /// <summary>Registers the scheme and the policy once; configure the key with <c>Configure&lt;ApiKeyOptions&gt;</c>.</summary>
    public static IServiceCollection AddApiKeyAuthorization(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(s => s.ServiceType == typeof(ApiKeyPolicyMarker)))
        {
            return services;
        }
        services.AddSingleton<ApiKeyPolicyMarker>();
        services.AddOptions<ApiKeyOptions>().Validate(options =>
        {
            options.Validate();
            return true;
        });
        // Authentication brings data protection, which would write keys under the home directory (read-only
        // in the pods). Nothing here protects data with it (a key header, no cookies): keep its keys in memory.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyHandler>(Scheme, configureOptions: null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<ApiKeyOptions>>((authorization, apiKey) =>
        {
            authorization.AddPolicy(AdminPolicy, policy => KeyOrOpen(policy, apiKey.Value.Key is not null));
            authorization.AddPolicy(PredictPolicy, policy => KeyOrOpen(policy, apiKey.Value.Key is not null && apiKey.Value.RequireForPredict));
        });
        return services;
    }

    private static void KeyOrOpen(AuthorizationPolicyBuilder policy, bool keyRequired)
    {
        policy.AddAuthenticationSchemes(Scheme);
        if (keyRequired)
        {
            policy.RequireAuthenticatedUser();
        }
        else
        {
            policy.RequireAssertion(_ => true);
        }
    }

    /// <summary>Registered once so that a second call adds nothing.</summary>
    private sealed class ApiKeyPolicyMarker;
}
