using System.Net;
using System.Net.Http.Headers;

namespace Distributed.Grains.Tests.Apis;

/// <summary>
/// The admin surface (model reload, the Orleans dashboard on coordinator silos): open without a
/// token, bearer-token only with one, and the prediction API open either way.
/// </summary>
public sealed class AdminAuthorizationTests
{
    private const string Token = "a-long-admin-token-for-tests";
    private static readonly Uri s_reload = new("/v1/model/reload", UriKind.Relative);
    private static readonly Uri s_dashboard = new("/dashboard/", UriKind.Relative);

    [Fact]
    public async Task WithATokenReloadNeedsItAndPredictionsDoNot()
    {
        using var silo = new SiloFactory(TrainedModels.Instance.First, new Dictionary<string, string> { ["Silo:AdminToken"] = Token });
        var client = await silo.ServingClientAsync();

        using var anonymous = await client.PostAsync(s_reload, content: null);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("Bearer", anonymous.Headers.WwwAuthenticate.Single().Scheme);
        using var wrong = await SendAsync(client, HttpMethod.Post, s_reload, "not-the-admin-token-at-all");
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        using var right = await SendAsync(client, HttpMethod.Post, s_reload, Token);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);

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
            ["Silo:AdminToken"] = Token,
        });
        var client = silo.CreateClient();
        using var anonymous = await client.GetAsync(s_dashboard);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using var page = await SendAsync(client, HttpMethod.Get, s_dashboard, Token);
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

    private static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpMethod method, Uri uri, string token)
    {
        using var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return await client.SendAsync(request);
    }
}
