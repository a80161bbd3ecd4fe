using System.Net;
using System.Net.Http.Headers;

namespace Distributed.Grains.Tests.Apis;

/// <summary>
/// The admin surface (model reload, the Orleans dashboard on coordinator silos): open without an API
/// key, and with one 401 without a key, 403 with a wrong one, 200 with the right one (as a bearer
/// token or an X-Api-Key header); the prediction API open either way.
/// </summary>
public sealed class ApiKeyAuthorizationTests
{
    private const string Key = "a-long-api-key-for-the-tests";
    private static readonly Uri s_reload = new("/v1/model/reload", UriKind.Relative);
    private static readonly Uri s_dashboard = new("/dashboard/", UriKind.Relative);

    [Fact]
    public async Task WithATokenReloadNeedsItAndPredictionsDoNot()
    {
        using var temp = new TempDirectory();
        using var silo = new SiloFactory(TrainedModels.Instance.First, new Dictionary<string, string> { ["Silo:ApiKeyFile"] = KeyFile(temp) });
        var client = await silo.ServingClientAsync();

        using var anonymous = await client.PostAsync(s_reload, content: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        using var wrong = await SendAsync(client, HttpMethod.Post, s_reload, "not-the-api-key-at-all");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using var right = await SendAsync(client, HttpMethod.Post, s_reload, Key);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        using var header = new HttpRequestMessage(HttpMethod.Post, s_reload);
        header.Headers.Add("X-Api-Key", Key);
        using var byHeader = await client.SendAsync(header);
        Assert.Equal(HttpStatusCode.OK, byHeader.StatusCode);

        using var model = await client.GetAsync(new Uri("/v1/model", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
    }

    [Fact]
    public async Task WithRequireKeyForPredictPredictionsNeedTheTokenToo()
    {
        using var temp = new TempDirectory();
        using var silo = new SiloFactory(TrainedModels.Instance.First, new Dictionary<string, string>
        {
            ["Silo:ApiKeyFile"] = KeyFile(temp),
            ["Silo:RequireKeyForPredict"] = "true",
        });
        var client = await silo.ServingClientAsync();
        var predict = new Uri("/v1/predict", UriKind.Relative);
        HttpRequestMessage Request(string? key)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, predict) { Content = ApiTestData.NpyContent(ApiTestData.Npy(new byte[784], 1, 784)) };
            if (key is not null)
            {
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            }
            return request;
        }
        using var anonymous = await client.SendAsync(Request(null));
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var wrong = await client.SendAsync(Request("not-the-api-key-at-all"));
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using var right = await client.SendAsync(Request(Key));
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
        // The probes and the model's description stay open for orchestrators and dashboards.
        using var model = await client.GetAsync(new Uri("/v1/model", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, model.StatusCode);
    }

    [Fact]
    public async Task WithoutATokenReloadIsOpen()
    {
        using var silo = new SiloFactory(TrainedModels.Instance.First);
        var client = await silo.ServingClientAsync();
        using var reload = await client.PostAsync(s_reload, content: null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
    }

    [Fact]
    public async Task CoordinatorSilosServeTheDashboardBehindTheToken()
    {
        using var temp = new TempDirectory();
        using var silo = new SiloFactory(null, new Dictionary<string, string>
        {
            ["Silo:Store"] = temp.File("store"),
            ["Silo:Roles"] = "coordinator,cpu",
            ["Silo:ApiKeyFile"] = KeyFile(temp),
        });
        var client = silo.CreateClient();
        using var anonymous = await client.GetAsync(s_dashboard);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var wrong = await SendAsync(client, HttpMethod.Get, s_dashboard, "not-the-api-key-at-all");
        Assert.Equal(HttpStatusCode.Forbidden, wrong.StatusCode);
        using var page = await SendAsync(client, HttpMethod.Get, s_dashboard, Key);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<html", await page.Content.ReadAsStringAsync(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task OtherSilosHaveNoDashboard()
    {
        using var temp = new TempDirectory();
        using var silo = new SiloFactory(null, new Dictionary<string, string>
        {
            ["Silo:Store"] = temp.File("store"),
            ["Silo:Roles"] = "gpu,cpu",
        });
        using var page = await silo.CreateClient().GetAsync(s_dashboard);
        Assert.Equal(HttpStatusCode.NotFound, page.StatusCode);
    }

    /// <summary>The key in a file, as a mounted Secret holds it (with a trailing newline).</summary>
    private static string KeyFile(TempDirectory temp)
    {
        var path = temp.File("api-key");
        File.WriteAllText(path, Key + "\n");
        return path;
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, Uri uri, string token)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
