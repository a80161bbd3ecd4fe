using System.Text.Json;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>
/// A Redis that needs a password, as the Kubernetes manifests run it: the Silo takes it from
/// <c>Silo__RedisPassword</c> and the Client from <c>REDIS_PASSWORD</c>, whatever characters it holds,
/// and a wrong one is a one-line error.
/// </summary>
public sealed class RedisPasswordTests
{
    /// <summary>Every character that would break a password put into a URL or a StackExchange.Redis connection string.</summary>
    private const string Password = "p@ss:w/rd#1?,=x%20&y;z";

    [Fact]
    public async Task SiloAndClientUseAPasswordWithUrlSpecialCharacters()
    {
        using var redis = RedisServer.Start(Password);
        using var temp = new TempDirectory();
        var store = temp.File("store");
        Directory.CreateDirectory(store);
        using var silo = new SiloProcess("coordinator,cpu", redis.Address, store, "silo-1", new Dictionary<string, string> { ["Silo__RedisPassword"] = Password });
        var address = await silo.StartedAsync();

        // Ready means Active in the membership table, which lives in that Redis.
        using var http = new HttpClient { BaseAddress = address };
        await SiloFactory.WaitUntilOkAsync(http, "/health/ready", "silo-1 did not become ready");

        var (code, stdout, stderr) = SiloProcess.RunClient(new Dictionary<string, string> { ["REDIS_PASSWORD"] = Password }, "status", "--cluster", redis.Address, "--json");
        Assert.True(code == 0, stderr);
        var silos = JsonDocument.Parse(stdout).RootElement.GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("silo_id").GetString());
        Assert.Equal(["silo-1"], silos);
    }

    [Fact]
    public void AWrongPasswordIsAOneLineError()
    {
        using var redis = RedisServer.Start(Password);
        using var temp = new TempDirectory();
        var store = temp.File("store");
        Directory.CreateDirectory(store);

        var (code, _, stderr) = SiloProcess.RunSilo(new Dictionary<string, string> { ["Silo__RedisPassword"] = "not-the-password" },
            "--store", store, "--redis", redis.Address, "--http-port", "0");
        Assert.Equal(1, code);
        Assert.Equal($"error: --redis {redis.Address}: Redis refused the password (set the right one, or none if it needs none)", stderr.Trim());

        var (clientCode, _, clientError) = SiloProcess.RunClient(new Dictionary<string, string>(), "status", "--cluster", redis.Address);
        Assert.Equal(1, clientCode);
        Assert.Equal($"error: --cluster {redis.Address}: Redis refused the password (set the right one, or none if it needs none)", clientError.Trim());
    }
}
