using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Distributed.Grains.Apis;

/// <summary>
/// The admin policy: endpoints that change what a host serves or show its internals
/// (<c>POST /v1/model/reload</c>, <c>/dashboard</c>) require it with <c>RequireAuthorization(</c><see cref="Policy"/><c>)</c>.
/// With <see cref="AdminOptions.Token"/> set, a request needs that bearer token (401 without it,
/// 401 with a wrong one); without a token the policy lets every request through.
/// </summary>
public static class AdminAuthorization
{
    /// <summary>Name of the authorization policy.</summary>
    public const string Policy = "admin";

    /// <summary>Name of the authentication scheme.</summary>
    public const string Scheme = "AdminToken";

    /// <summary>Registers the scheme and the policy once; configure the token with <c>Configure&lt;AdminOptions&gt;</c>.</summary>
    public static IServiceCollection AddAdminAuthorization(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        if (services.Any(s => s.ServiceType == typeof(AdminPolicyMarker)))
        {
            return services;
        }
        services.AddSingleton<AdminPolicyMarker>();
        services.AddOptions<AdminOptions>().Validate(options =>
        {
            options.Validate();
            return true;
        });
        // Authentication brings data protection, which would write keys under the home directory (read-only
        // in the pods). Nothing here protects data with it (a bearer token, no cookies): keep its keys in memory.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, AdminTokenHandler>(Scheme, configureOptions: null);
        services.AddAuthorization();
        services.AddOptions<AuthorizationOptions>().Configure<IOptions<AdminOptions>>((authorization, admin) =>
            authorization.AddPolicy(Policy, policy =>
            {
                policy.AddAuthenticationSchemes(Scheme);
                if (admin.Value.Token is null)
                {
                    policy.RequireAssertion(_ => true);
                }
                else
                {
                    policy.RequireAuthenticatedUser();
                }
            }));
        return services;
    }

    /// <summary>Registered once so that a second call adds nothing.</summary>
    private sealed class AdminPolicyMarker;
}
