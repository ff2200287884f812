using System.Reflection;
using System.Text.RegularExpressions;
using Herald.Application;
using Herald.Infrastructure.Hosting;
using Herald.Testing;
using YamlDotNet.RepresentationModel;

namespace Herald.Cluster.Tests;

/// <summary>
/// The Docker and Kubernetes files cannot run here (no container engine), so they are parsed and checked
/// against the code: every environment key must be one the code reads, and images, ports, probes and
/// entry points must agree with each other and with the projects.
/// </summary>
public sealed partial class DeployFilesTests
{
    private static readonly string Root = RepositoryLayout.Root;

    private static readonly string ComposeInit = File.ReadAllText(Path.Combine(Root, "deploy", "compose-init.sh"));

    // Keys the code reads that are not Herald option properties.
    private static readonly HashSet<string> OtherKnownKeys = new(StringComparer.Ordinal)
    {
        "ASPNETCORE_URLS", "ConnectionStrings:Postgres", "Logging:LogLevel:Default", "POD_NAME", "POD_IP",
    };

    [Fact]
    public void Every_environment_key_in_the_deploy_files_is_a_configuration_key_of_the_code()
    {
        var known = KnownConfigurationKeys();
        var keys = EnvironmentKeys().ToList();

        Assert.NotEmpty(keys);
        foreach (var (file, key) in keys)
        {
            // An array element (Herald__Cors__Origins__0) is a key of the array's option.
            var configKey = ArrayIndex().Replace(key.Replace("__", ":", StringComparison.Ordinal), string.Empty);
            Assert.True(known.Contains(configKey) || OtherKnownKeys.Contains(configKey), $"{file}: {key} is not a configuration key Herald reads");
        }

        Assert.Contains(keys, k => k.Key == "ConnectionStrings__Postgres" && k.File == "docker-compose.yml");
        Assert.Contains(keys, k => k.Key == "ConnectionStrings__Postgres" && k.File.EndsWith("secret.yaml", StringComparison.Ordinal));
    }

    [Fact]
    public void Kubernetes_manifests_have_every_required_kind_with_probes_ports_and_images_that_agree()
    {
        var documents = Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml").SelectMany(Load).ToList();
        var kinds = documents.Select(d => Scalar(d, "kind")).ToList();
        foreach (var kind in new[] { "Deployment", "Service", "ConfigMap", "Secret", "PodDisruptionBudget" })
            Assert.Contains(kind, kinds);

        var config = documents.Single(d => Scalar(d, "kind") == "ConfigMap");
        var urls = Scalar(Node(config, "data"), "ASPNETCORE_URLS");
        var port = int.Parse(UrlPort().Match(urls).Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);

        var deployments = documents.Where(d => Scalar(d, "kind") == "Deployment").ToList();
        Assert.Equal(["herald-gateway", "herald-silo"], deployments.Select(d => Scalar(Node(d, "metadata"), "name")).Order().ToArray());
        foreach (var deployment in deployments)
        {
            var container = (YamlMappingNode)((YamlSequenceNode)Node(Node(Node(deployment, "spec"), "template"), "spec")["containers"])[0];
            var name = Scalar(Node(deployment, "metadata"), "name");
            Assert.Equal($"{name}:latest", Scalar(container, "image"));
            Assert.Equal(port, int.Parse(Scalar((YamlMappingNode)((YamlSequenceNode)container["ports"])[0], "containerPort"), System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(HealthApi.ReadinessPath, Scalar(Node(Node(container, "readinessProbe"), "httpGet"), "path"));
            Assert.Equal(HealthApi.LivenessPath, Scalar(Node(Node(container, "livenessProbe"), "httpGet"), "path"));

            // The container ports Orleans listens on are the ones the config map sets.
            var containerPorts = ((YamlSequenceNode)container["ports"]).Cast<YamlMappingNode>().ToDictionary(p => Scalar(p, "name"), p => Scalar(p, "containerPort"));
            Assert.Equal(Scalar(Node(config, "data"), "Herald__Cluster__SiloPort"), containerPorts["orleans-silo"]);
            Assert.Equal(Scalar(Node(config, "data"), "Herald__Cluster__GatewayPort"), containerPorts["orleans-gateway"]);
            var env = ((YamlSequenceNode)container["env"]).Cast<YamlMappingNode>().ToDictionary(e => Scalar(e, "name"), e => e.Children.ContainsKey("value") ? Scalar(e, "value") : null);
            Assert.Equal("$(POD_NAME)", env["Herald__Cluster__SiloName"]);
            Assert.Equal("$(POD_IP)", env["Herald__Cluster__AdvertisedHost"]);
            Assert.Equal(name == "herald-gateway" ? "false" : null, env.GetValueOrDefault("Herald__Cluster__HostsWebhooks"));
        }

        var service = documents.Single(d => Scalar(d, "kind") == "Service");
        Assert.Equal("herald-gateway", Scalar(Node(Node(service, "spec"), "selector"), "app.kubernetes.io/name"));
        Assert.Equal(2, documents.Count(d => Scalar(d, "kind") == "PodDisruptionBudget"));
        Assert.True(File.Exists(Path.Combine(Root, "deploy", "k8s", "README.md")));
    }

    [Fact]
    public void Compose_runs_postgres_two_silos_two_gateways_behind_nginx_configured_for_sse()
    {
        var compose = Load(Path.Combine(Root, "docker-compose.yml")).Single();
        var services = Node(compose, "services");
        var always = services.Children.Where(s => !((YamlMappingNode)s.Value).Children.ContainsKey("profiles")).Select(s => ((YamlScalarNode)s.Key).Value!);
        Assert.Equal(["gateway1", "gateway2", "nginx", "postgres", "silo1", "silo2"], always.Order().ToArray());
        foreach (var silo in new[] { "silo1", "silo2" })
            Assert.Equal("herald-silo:latest", Scalar(Node(services, silo), "image"));
        foreach (var gateway in new[] { "gateway1", "gateway2" })
        {
            Assert.Equal("herald-gateway:latest", Scalar(Node(services, gateway), "image"));
            Assert.Equal("false", Scalar(Node(Node(services, gateway), "environment"), "Herald__Cluster__HostsWebhooks"));
        }

        var nginx = File.ReadAllText(Path.Combine(Root, "deploy", "nginx.conf"));
        Assert.Contains("server gateway1:8080;", nginx, StringComparison.Ordinal);
        Assert.Contains("server gateway2:8080;", nginx, StringComparison.Ordinal);
        Assert.Contains("proxy_buffering off;", nginx, StringComparison.Ordinal);
        Assert.Matches(@"proxy_read_timeout\s+\d+h;", nginx);
        Assert.DoesNotContain("11111", nginx, StringComparison.Ordinal);
    }

    [Fact]
    public void The_observability_profile_scrapes_every_process_and_its_dashboard_and_alerts_name_only_metrics_herald_serves()
    {
        var services = Node(Load(Path.Combine(Root, "docker-compose.yml")).Single(), "services");
        foreach (var name in new[] { "prometheus", "grafana" })
        {
            var service = Node(services, name);
            Assert.Equal("observability", ((YamlScalarNode)((YamlSequenceNode)service["profiles"])[0]).Value);

            // Every file the profile mounts is in the repository, or one deploy/compose-init.sh makes.
            foreach (YamlScalarNode volume in (YamlSequenceNode)service["volumes"])
            {
                var file = volume.Value!.Split(':')[0];
                Assert.True(Path.Exists(Path.Combine(Root, file)) || (file.StartsWith("./deploy/certs/", StringComparison.Ordinal) && ComposeInit.Contains(Path.GetFileName(file), StringComparison.Ordinal)),
                    $"{name} mounts {volume.Value}, which does not exist");
            }
        }

        // Each Herald container listens on 8080 (ASPNETCORE_URLS in its image), where /metrics is.
        var prometheus = Load(Path.Combine(Root, "deploy", "prometheus", "prometheus.yml")).Single();
        var job = (YamlMappingNode)((YamlSequenceNode)prometheus["scrape_configs"])[0];
        Assert.Equal(Herald.Infrastructure.Telemetry.MetricsApi.Path, Scalar(job, "metrics_path"));
        var targets = ((YamlSequenceNode)job["static_configs"]).Cast<YamlMappingNode>()
            .SelectMany(c => ((YamlSequenceNode)c["targets"]).Cast<YamlScalarNode>().Select(t => t.Value!)).Order().ToArray();
        Assert.Equal(["gateway1:8080", "gateway2:8080", "silo1:8080", "silo2:8080"], targets);
        foreach (var file in new[] { "silo.Dockerfile", "gateway.Dockerfile" })
            Assert.Contains("ENV ASPNETCORE_URLS=http://0.0.0.0:8080", File.ReadAllText(Path.Combine(Root, "deploy", file)), StringComparison.Ordinal);

        var alerts = Load(Path.Combine(Root, "deploy", "prometheus", "alerts.yml")).Single();
        var rules = ((YamlSequenceNode)((YamlMappingNode)((YamlSequenceNode)alerts["groups"])[0])["rules"]).Cast<YamlMappingNode>().ToList();
        Assert.Equal(["HeraldDeliveriesFailing", "HeraldEndpointDisabled", "HeraldEndpointLagGrowing", "HeraldProcessDown", "HeraldStorageBacklogGrowing"],
            rules.Select(r => Scalar(r, "alert")).Order().ToArray());
        foreach (var rule in rules)
        {
            Assert.False(string.IsNullOrWhiteSpace(Scalar(Node(rule, "labels"), "severity")));
            Assert.False(string.IsNullOrWhiteSpace(Scalar(Node(rule, "annotations"), "summary")));
        }

        using var dashboard = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(Root, "deploy", "grafana", "herald-dashboard.json")));
        var expressions = dashboard.RootElement.GetProperty("panels").EnumerateArray()
            .Where(p => p.TryGetProperty("targets", out _))
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => t.GetProperty("expr").GetString()!))
            .Concat(rules.Select(r => Scalar(r, "expr")))
            .ToList();
        Assert.True(expressions.Count >= 20);

        // A metric name the code does not create would be an empty panel or an alert that never fires.
        var sources = Directory.GetFiles(Path.Combine(Root, "src"), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(File.ReadAllText);
        var instruments = InstrumentName().Matches(string.Join('\n', sources)).Select(m => m.Groups[1].Value.Replace('.', '_')).ToHashSet(StringComparer.Ordinal);
        Assert.Contains("herald_delivery_attempts", instruments);
        foreach (var used in expressions.SelectMany(e => HeraldSeries().Matches(e)).Select(m => m.Value).Distinct())
        {
            var instrument = PrometheusSuffix().Replace(used, string.Empty);
            Assert.True(instruments.Contains(instrument), $"{used} is used by the dashboard or an alert, but Herald creates no instrument {instrument}");
        }
    }

    [GeneratedRegex(""""Create(?:Counter|Histogram|UpDownCounter|ObservableGauge|ObservableCounter|ObservableUpDownCounter)(?:<\w+>)?\(\s*"(herald\.[a-z_.]+)"""")]
    private static partial Regex InstrumentName();

    [GeneratedRegex(@"\bherald_[a-z_]+")]
    private static partial Regex HeraldSeries();

    // What the Prometheus exporter appends: the unit (seconds), _total for counters, and a histogram's series.
    [GeneratedRegex("(_seconds)?(_total)?(_bucket|_sum|_count)?$")]
    private static partial Regex PrometheusSuffix();

    [Fact]
    public void Every_compose_process_is_a_silo_with_its_own_name_and_address_on_the_ports_its_image_exposes()
    {
        var compose = Load(Path.Combine(Root, "docker-compose.yml")).Single();
        var services = Node(compose, "services");
        var names = new[] { "silo1", "silo2", "gateway1", "gateway2" };
        var environments = names.Select(n => (Name: n, Environment: Values(Node(Node(services, n), "environment")))).ToList();
        foreach (var (name, environment) in environments)
        {
            // The advertised host is the compose service name, which the other containers resolve.
            Assert.Equal(name, environment["Herald__Cluster__SiloName"]);
            Assert.Equal(name, environment["Herald__Cluster__AdvertisedHost"]);
            Assert.Equal("true", environment["Herald__Cluster__ListenOnAnyAddress"]);
        }

        var ports = environments.Select(e => (e.Environment["Herald__Cluster__SiloPort"], e.Environment["Herald__Cluster__GatewayPort"])).Distinct().Single();
        foreach (var file in new[] { "silo.Dockerfile", "gateway.Dockerfile" })
            Assert.Matches($@"(?m)^EXPOSE {ports.Item1} {ports.Item2}$", File.ReadAllText(Path.Combine(Root, "deploy", file)));
    }

    [Fact]
    public void Compose_lets_its_processes_deliver_to_receivers_on_its_own_network_and_browsers_use_the_api()
    {
        var compose = Load(Path.Combine(Root, "docker-compose.yml")).Single();
        var subnet = Scalar((YamlMappingNode)((YamlSequenceNode)Node(Node(Node(compose, "networks"), "default"), "ipam")["config"])[0], "subnet");
        foreach (var name in new[] { "silo1", "silo2", "gateway1", "gateway2" })
        {
            var environment = Values(Node(Node(Node(compose, "services"), name), "environment"));
            Assert.Equal(subnet, environment["Herald__Delivery__AllowedNetworks__0"]);
            Assert.Equal("http://localhost:8000", environment["Herald__Cors__Origins__0"]);
        }
    }

    [Fact]
    public void Every_compose_process_presents_the_cluster_certificate_that_the_cert_script_makes()
    {
        var compose = Load(Path.Combine(Root, "docker-compose.yml")).Single();
        var secrets = Node(compose, "secrets").Children.ToDictionary(s => ((YamlScalarNode)s.Key).Value!, s => Scalar((YamlMappingNode)s.Value, "file"));
        var script = File.ReadAllText(Path.Combine(Root, "deploy", "cluster-cert.sh"));
        Assert.Contains("dir=deploy/certs", script, StringComparison.Ordinal);
        foreach (var file in secrets.Values)
        {
            Assert.StartsWith("./deploy/certs/", file, StringComparison.Ordinal);
            Assert.Contains(Path.GetFileName(file), script, StringComparison.Ordinal);
        }

        foreach (var name in new[] { "silo1", "silo2", "gateway1", "gateway2" })
        {
            var service = Node(Node(compose, "services"), name);
            var environment = Values(Node(service, "environment"));
            var mounted = ((YamlSequenceNode)Node(compose, "x-herald")["secrets"]).Cast<YamlScalarNode>().Select(s => s.Value!).ToHashSet();
            foreach (var (key, file) in new[] { ("CertificatePath", "cluster.crt"), ("KeyPath", "cluster.key"), ("CaPath", "ca.crt") })
            {
                var path = environment[$"Herald__Cluster__Tls__{key}"];
                var secret = path["/run/secrets/".Length..];
                Assert.StartsWith("/run/secrets/", path, StringComparison.Ordinal);
                Assert.Contains(secret, mounted);
                Assert.Equal($"./deploy/certs/{file}", secrets[secret]);
            }
        }

        foreach (var ignore in new[] { ".gitignore", ".dockerignore" })
            Assert.Contains("deploy/certs/", File.ReadAllText(Path.Combine(Root, ignore)), StringComparison.Ordinal);
    }

    [Fact]
    public void Kubernetes_pods_mount_the_cluster_certificate_and_a_network_policy_keeps_the_orleans_ports_to_herald()
    {
        var documents = Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml").SelectMany(Load).ToList();
        var config = Node(documents.Single(d => Scalar(d, "kind") == "ConfigMap"), "data");
        foreach (var deployment in documents.Where(d => Scalar(d, "kind") == "Deployment"))
        {
            var pod = Node(Node(Node(deployment, "spec"), "template"), "spec");
            var volume = ((YamlSequenceNode)pod["volumes"]).Cast<YamlMappingNode>().Single(v => v.Children.ContainsKey("secret"));
            Assert.Equal("herald-cluster-tls", Scalar(Node(volume, "secret"), "secretName"));
            var container = (YamlMappingNode)((YamlSequenceNode)pod["containers"])[0];
            var mount = ((YamlSequenceNode)container["volumeMounts"]).Cast<YamlMappingNode>().Single(m => Scalar(m, "name") == Scalar(volume, "name"));
            foreach (var (key, file) in new[] { ("CertificatePath", "cluster.crt"), ("KeyPath", "cluster.key"), ("CaPath", "ca.crt") })
                Assert.Equal($"{Scalar(mount, "mountPath")}/{file}", Scalar(config, $"Herald__Cluster__Tls__{key}"));
        }

        var policy = documents.Single(d => Scalar(d, "kind") == "NetworkPolicy");
        var rules = ((YamlSequenceNode)Node(policy, "spec")["ingress"]).Cast<YamlMappingNode>().ToList();
        var orleans = rules.Single(r => r.Children.ContainsKey("from"));
        Assert.Equal(["11111", "30000"], ((YamlSequenceNode)orleans["ports"]).Cast<YamlMappingNode>().Select(p => Scalar(p, "port")).Order().ToArray());
        Assert.Equal("herald", Scalar(Node(Node((YamlMappingNode)((YamlSequenceNode)orleans["from"])[0], "podSelector"), "matchLabels"), "app.kubernetes.io/part-of"));
        Assert.DoesNotContain(rules.Where(r => !r.Children.ContainsKey("from")).SelectMany(r => ((YamlSequenceNode)r["ports"]).Cast<YamlMappingNode>()),
            p => Scalar(p, "port") is "11111" or "30000");
        Assert.Contains("kubectl create secret generic herald-cluster-tls", File.ReadAllText(Path.Combine(Root, "deploy", "k8s", "README.md")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compose_comes_with_keys_its_init_script_makes_and_a_gateway_accepts_and_believes_only_its_nginx()
    {
        var compose = Load(Path.Combine(Root, "docker-compose.yml")).Single();
        Assert.Equal("deploy/certs/herald.env", Scalar(Node(compose, "x-herald"), "env_file"));
        var nginx = Node(Node(Node(compose, "services"), "nginx"), "networks");
        var nginxAddress = Scalar(Node(nginx, "default"), "ipv4_address");
        var ipam = (YamlMappingNode)((YamlSequenceNode)Node(Node(Node(compose, "networks"), "default"), "ipam")["config"])[0];
        Assert.True(System.Net.IPNetwork.Parse(Scalar(ipam, "subnet")).Contains(System.Net.IPAddress.Parse(nginxAddress)));
        Assert.False(System.Net.IPNetwork.Parse(Scalar(ipam, "ip_range")).Contains(System.Net.IPAddress.Parse(nginxAddress)), "no other container can be given nginx's address");
        foreach (var name in new[] { "silo1", "silo2", "gateway1", "gateway2" })
            Assert.Equal(nginxAddress, Values(Node(Node(Node(compose, "services"), name), "environment"))["Herald__Http__KnownProxies__0"]);

        // The script, run as a user would, on a copy of deploy/: the keys it prints work against a real gateway.
        var copy = Directory.CreateTempSubdirectory("herald-compose-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(copy, "deploy"));
            foreach (var script in new[] { "compose-init.sh", "cluster-cert.sh" })
                File.Copy(Path.Combine(Root, "deploy", script), Path.Combine(copy, "deploy", script));
            var start = new System.Diagnostics.ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(copy, "deploy", "compose-init.sh"));
            using var init = System.Diagnostics.Process.Start(start)!;
            var output = await init.StandardOutput.ReadToEndAsync();
            var errors = await init.StandardError.ReadToEndAsync();
            await init.WaitForExitAsync();
            Assert.True(init.ExitCode == 0, $"exit {init.ExitCode}: {output}{errors}");

            var operatorKey = output.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("hk_", StringComparison.Ordinal));
            var prometheusKey = await File.ReadAllTextAsync(Path.Combine(copy, "deploy", "certs", "prometheus.key"));
            var settings = File.ReadAllLines(Path.Combine(copy, "deploy", "certs", "herald.env"))
                .Where(l => l.Length > 0 && !l.StartsWith('#'))
                .Select(l => l.Split('=', 2))
                .ToDictionary(kv => kv[0].Replace("__", ":", StringComparison.Ordinal), kv => kv[1]);
            Assert.DoesNotContain(operatorKey, string.Join('\n', settings.Values), StringComparison.Ordinal);
            foreach (var file in new[] { "cluster.crt", "cluster.key", "ca.crt" })
                Assert.True(File.Exists(Path.Combine(copy, "deploy", "certs", file)), $"compose-init.sh made no {file}");

            await using var gateway = await HeraldProcess.StartGatewayAsync("compose-keys", settings);
            using (var anonymous = await gateway.Client.GetAsync("/api/webhooks"))
                Assert.Equal(System.Net.HttpStatusCode.Unauthorized, anonymous.StatusCode);
            using var asOperator = new HttpRequestMessage(HttpMethod.Get, "/api/webhooks") { Headers = { Authorization = new("Bearer", operatorKey) } };
            using (var allowed = await gateway.Client.SendAsync(asOperator))
                Assert.Equal(System.Net.HttpStatusCode.OK, allowed.StatusCode);
            using var scrape = new HttpRequestMessage(HttpMethod.Get, "/metrics") { Headers = { Authorization = new("Bearer", prometheusKey) } };
            using (var scraped = await gateway.Client.SendAsync(scrape))
                Assert.Equal(System.Net.HttpStatusCode.OK, scraped.StatusCode);
        }
        finally
        {
            Directory.Delete(copy, recursive: true);
        }
    }

    [Theory]
    [InlineData("gateway.Dockerfile", "Gateway")]
    [InlineData("silo.Dockerfile", "Silo")]
    [InlineData("mcp-bridge.Dockerfile", "McpBridge")]
    public void Dockerfiles_are_multi_stage_non_root_and_start_the_project_they_build(string file, string project)
    {
        var text = File.ReadAllText(Path.Combine(Root, "deploy", file));
        Assert.True(Regex.Count(text, @"^FROM ", RegexOptions.Multiline) >= 2, "multi-stage");
        Assert.Contains($"dotnet publish src/{project}/{project}.csproj", text, StringComparison.Ordinal);
        Assert.Matches(@"(?m)^USER \$APP_UID$", text);
        Assert.Contains($"ENTRYPOINT [\"dotnet\", \"Herald.{project}.dll\"]", text, StringComparison.Ordinal);
        Assert.Contains("EXPOSE 8080", text, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(Root, "src", project, $"{project}.csproj")));
    }

    private static HashSet<string> KnownConfigurationKeys()
    {
        var assemblies = new[]
        {
            typeof(LimitsOptions).Assembly, typeof(Herald.Gateway.Hosting.CorsSettings).Assembly, typeof(HealthApi).Assembly, typeof(Herald.Grains.Delivery.DeliveryOptions).Assembly,
        };
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static)?.GetRawConstantValue() is not string section)
                continue;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                keys.Add($"{section}:{property.Name}");

                // A list of objects (the API keys) is configured element by element: Keys:0:Name.
                var element = property.PropertyType.IsArray ? property.PropertyType.GetElementType() : property.PropertyType.GetGenericArguments().FirstOrDefault();
                if (element is { IsClass: true } && element != typeof(string))
                {
                    foreach (var inner in element.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
                        keys.Add($"{section}:{property.Name}:{inner.Name}");
                }
            }
        }

        return keys;
    }

    private static IEnumerable<(string File, string Key)> EnvironmentKeys()
    {
        foreach (var path in Directory.GetFiles(Path.Combine(Root, "deploy", "k8s"), "*.yaml"))
        {
            var file = Path.GetRelativePath(Root, path);
            foreach (var document in Load(path))
            {
                var kind = Scalar(document, "kind");
                if (kind is "ConfigMap")
                    foreach (var key in Node(document, "data").Children.Keys)
                        yield return (file, ((YamlScalarNode)key).Value!);
                if (kind is "Secret")
                    foreach (var key in Node(document, "stringData").Children.Keys)
                        yield return (file, ((YamlScalarNode)key).Value!);
                if (kind is "Deployment")
                {
                    var container = (YamlMappingNode)((YamlSequenceNode)Node(Node(Node(document, "spec"), "template"), "spec")["containers"])[0];
                    foreach (YamlMappingNode env in (YamlSequenceNode)container["env"])
                        yield return (file, Scalar(env, "name"));
                }
            }
        }

        var compose = Load(Path.Combine(Root, "docker-compose.yml")).Single();
        foreach (var (name, service) in Node(compose, "services").Children)
        {
            // Only Herald's own processes read Herald's keys; PostgreSQL, Prometheus and Grafana have their own.
            var image = ((YamlMappingNode)service).Children.TryGetValue("image", out var named) ? ((YamlScalarNode)named).Value! : string.Empty;
            if (!image.StartsWith("herald-", StringComparison.Ordinal) || ((YamlMappingNode)service).Children.All(c => ((YamlScalarNode)c.Key).Value != "environment"))
                continue;
            foreach (var key in Flatten(Node((YamlMappingNode)service, "environment")))
                yield return ("docker-compose.yml", key);
        }
    }

    /// <summary>The keys of a mapping with YAML merge keys (<c>&lt;&lt;: *anchor</c>) applied, which the parser leaves as is.</summary>
    private static IEnumerable<string> Flatten(YamlMappingNode mapping)
    {
        foreach (var (key, value) in mapping.Children)
        {
            if (((YamlScalarNode)key).Value == "<<" && value is YamlMappingNode merged)
            {
                foreach (var inner in Flatten(merged))
                    yield return inner;
            }
            else
            {
                yield return ((YamlScalarNode)key).Value!;
            }
        }
    }

    /// <summary>A mapping's scalar values with merge keys applied; the service's own keys win, as in Compose.</summary>
    private static Dictionary<string, string> Values(YamlMappingNode mapping)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in mapping.Children)
        {
            if (((YamlScalarNode)key).Value == "<<" && value is YamlMappingNode merged)
            {
                foreach (var (innerKey, innerValue) in Values(merged))
                    values.TryAdd(innerKey, innerValue);
            }
            else if (value is YamlScalarNode scalar)
            {
                values[((YamlScalarNode)key).Value!] = scalar.Value!;
            }
        }

        return values;
    }

    private static List<YamlMappingNode> Load(string path)
    {
        var stream = new YamlStream();
        using (var reader = new StreamReader(path))
            stream.Load(reader);
        return stream.Documents.Select(d => (YamlMappingNode)d.RootNode).ToList();
    }

    private static YamlMappingNode Node(YamlMappingNode parent, string key) => (YamlMappingNode)parent[key];

    private static string Scalar(YamlMappingNode parent, string key) => ((YamlScalarNode)parent[key]).Value!;

    [GeneratedRegex(@":(\d+)$")]
    private static partial Regex UrlPort();

    [GeneratedRegex(@":\d+(?=:|$)")]
    private static partial Regex ArrayIndex();
}
