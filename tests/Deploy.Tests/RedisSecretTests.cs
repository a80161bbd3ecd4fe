using System.Text;
using static Distributed.Deploy.Tests.Manifests;

namespace Distributed.Deploy.Tests;

/// <summary>
/// The Redis password: one Secret (<c>redis-auth</c>, key <c>password</c>) that Redis requires and
/// the silos send, generated with a dev value in the dev overlay and created by the operator in
/// production, so no production password is ever rendered from git.
/// </summary>
public sealed class RedisSecretTests
{
    private const string DevPassword = "p@ss:w/rd#1?";

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void RedisRequiresThePasswordFromTheSecret(string overlay)
    {
        var redis = RedisContainer(Render(overlay));
        var arguments = List(redis, "command").Concat(List(redis, "args")).Cast<string>().ToList();

        var (name, key) = SecretRef(redis, "REDIS_PASSWORD");
        Assert.StartsWith("redis-auth", name, StringComparison.Ordinal);
        Assert.Equal("password", key);
        // Expanded by Kubernetes into one argument, no shell in between to mangle special characters.
        Assert.Equal("$(REDIS_PASSWORD)", Option(arguments, "--requirepass"));
        Assert.DoesNotContain(arguments, a => a is "sh" or "/bin/sh" or "bash" or "-c");
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void RedisProbesAuthenticateAndCheckTheAnswer(string overlay)
    {
        var redis = RedisContainer(Render(overlay));

        Assert.Equal(SecretRef(redis, "REDIS_PASSWORD"), SecretRef(redis, "REDISCLI_AUTH"));
        foreach (var probe in new[] { "readinessProbe", "livenessProbe" })
        {
            var command = string.Join(' ', List(Map(redis, probe, "exec"), "command").Cast<string>());
            Assert.Contains("redis-cli ping", command, StringComparison.Ordinal);
            // redis-cli exits 0 on NOAUTH, so a probe that only runs it would pass with a wrong password.
            Assert.Contains("PONG", command, StringComparison.Ordinal);
            Assert.DoesNotContain(" -a ", command, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void SilosAndTheExporterSendThePasswordRedisRequires(string overlay)
    {
        var manifests = Render(overlay);
        var required = SecretRef(RedisContainer(manifests), "REDIS_PASSWORD");

        Assert.All(manifests.Silos(), silo => Assert.Equal(required, SecretRef(SiloContainer(silo), "Silo__RedisPassword")));
        var exporter = Containers(manifests.Single("StatefulSet", "redis")).Single(c => (string)c["name"] == "exporter");
        Assert.Equal(required, SecretRef(exporter, "REDIS_PASSWORD"));
        // The password travels as its own field, never inside a connection string or URL.
        Assert.All(manifests.Silos(), silo => Assert.DoesNotContain("@", manifests.Environment(SiloContainer(silo))["Silo__Redis"], StringComparison.Ordinal));
    }

    [Fact]
    public void DevGeneratesAPasswordWithUrlSpecialCharacters()
    {
        var manifests = Render("dev");
        var (name, key) = SecretRef(RedisContainer(manifests), "REDIS_PASSWORD");

        var secret = manifests.Single("Secret", name);
        var password = Encoding.UTF8.GetString(Convert.FromBase64String((string)Map(secret, "data")[key]));
        Assert.Equal(DevPassword, password);
        Assert.All("@:/#?", c => Assert.Contains(c, password));
    }

    [Fact]
    public void ProductionRendersNoPassword()
    {
        var manifests = Render("production");
        var yaml = RenderText("production");

        Assert.Empty(manifests.OfKind("Secret"));
        Assert.DoesNotContain(DevPassword, yaml, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(DevPassword)), yaml, StringComparison.Ordinal);
        // The one Secret the operator must create before the pods can start (documented in the overlay).
        Assert.Equal(("redis-auth", "password"), SecretRef(RedisContainer(manifests), "REDIS_PASSWORD"));
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void EverySecretReferenceIsRenderedOptionalOrTheRedisPassword(string overlay)
    {
        var manifests = Render(overlay);
        var rendered = manifests.OfKind("Secret").Select(Name).ToHashSet();

        foreach (var workload in manifests.Workloads())
        {
            foreach (var container in Containers(workload))
            {
                foreach (var env in List(container, "env").Cast<Dictionary<object, object>>().Where(e => e.ContainsKey("valueFrom")))
                {
                    if (!Map(env, "valueFrom").TryGetValue("secretKeyRef", out var value))
                    {
                        continue;
                    }
                    var reference = (Dictionary<object, object>)value;
                    var name = (string)reference["name"];
                    var optional = reference.GetValueOrDefault("optional") as string == "true";
                    var operatorCreated = overlay == "production" && s_operatorCreated.Contains(name);
                    Assert.True(rendered.Contains(name) || optional || operatorCreated,
                        $"{Describe(workload, container)}: {env["name"]} needs Secret {name}, which is neither rendered, optional nor the documented redis-auth");
                }
            }
        }
    }

    [Theory]
    [InlineData("dev")]
    [InlineData("production")]
    public void TheApiKeyFileIsTheMountedSecret(string overlay)
    {
        var manifests = Render(overlay);
        foreach (var silo in manifests.Silos())
        {
            var container = SiloContainer(silo);
            var file = List(container, "env").Cast<Dictionary<object, object>>().SingleOrDefault(e => (string)e["name"] == "Silo__ApiKeyFile")?.GetValueOrDefault("value") as string;
            Assert.True(file is not null, $"{Describe(silo)}: no Silo__ApiKeyFile");
            var mount = List(container, "volumeMounts").Cast<Dictionary<object, object>>().Single(m => (string)m["name"] == "api-key");
            Assert.Equal($"{mount["mountPath"]}/key", file);
            Assert.Equal("true", mount["readOnly"]);
            var volume = List(PodSpec(silo), "volumes").Cast<Dictionary<object, object>>().Single(v => (string)v["name"] == "api-key");
            var secret = Map(volume, "secret");
            Assert.StartsWith("silo-api-key", (string)secret["secretName"], StringComparison.Ordinal);
            // Required: a silo without its key would serve the admin endpoints open.
            Assert.NotEqual("true", secret.GetValueOrDefault("optional") as string);
        }
        // Dev generates its key; production leaves it to the operator, and so renders none.
        Assert.Equal(overlay == "dev", manifests.OfKind("Secret").Select(Name).Any(name => name.StartsWith("silo-api-key", StringComparison.Ordinal)));
    }

    /// <summary>Secrets the production overlay documents for the operator to create, so it renders none.</summary>
    private static readonly string[] s_operatorCreated = ["redis-auth", "silo-api-key"];

    private static Dictionary<object, object> RedisContainer(Manifests manifests) =>
        Containers(manifests.Single("StatefulSet", "redis")).Single(c => (string)c["name"] == "redis");
}
