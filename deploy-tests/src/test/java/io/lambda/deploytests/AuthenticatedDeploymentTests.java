package io.lambda.deploytests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The chart and docker/compose.yaml run the services with authentication on (lambda-security):
 * the API keys file comes from a Secret mounted read-only as a directory (so its updates reach the
 * pods and the keys rotate), LAMBDA_SECURITY_API_KEYS_FILE names it, and the actuator (probes,
 * Prometheus scrape) lives on the management port, which the public Services do not expose.
 */
class AuthenticatedDeploymentTests {

	private static final String SECRET = "lambda-api-keys";

	private static final String KEYS_DIR = "/etc/lambda/api-keys";

	private static final String KEYS_FILE_VARIABLE = "LAMBDA_SECURITY_API_KEYS_FILE";

	@Test
	void chartMountsTheKeysSecretIntoEveryServiceAndPointsTheFilePropertyAtIt() {
		List<Manifest> manifests = HelmChart.render(Map.of("security.apiKeys.existingSecret", SECRET,
				"security.apiKeys.key", "keys.properties"));

		for (String component : ServicePorts.COMPONENTS) {
			Manifest deployment = ManifestInvariants.component(manifests, component).get(0);
			Map<String, Object> pod = ManifestInvariants.podSpec(deployment);
			Map<String, Object> container = ManifestInvariants.containers(pod).get(0);

			assertThat(Manifest.asList(pod.get("volumes"))).as("%s volumes", component)
					.filteredOn(volume -> SECRET.equals(Manifest.at(volume, "secret", "secretName")))
					.singleElement()
					.satisfies(volume -> assertThat(Manifest.at(volume, "name")).isEqualTo("api-keys"));
			assertThat(Manifest.asList(container.get("volumeMounts"))).as("%s mounts", component)
					.filteredOn(mount -> "api-keys".equals(Manifest.at(mount, "name")))
					.singleElement()
					.satisfies(mount -> {
						assertThat(Manifest.at(mount, "mountPath")).isEqualTo(KEYS_DIR);
						assertThat(Manifest.at(mount, "readOnly")).isEqualTo(true);
						// a subPath mount is a copy the kubelet never updates: rotation would need a restart
						assertThat(Manifest.at(mount, "subPath")).isNull();
					});
			assertThat(ManifestInvariants.env(container)).as("%s environment", component)
					.containsEntry(KEYS_FILE_VARIABLE, KEYS_DIR + "/keys.properties");
		}
		// the same check the kustomize overlays pass (KustomizeOverlaysTests)
		assertThat(ManifestInvariants.apiKeysFromSecret(manifests, SECRET, KEYS_DIR + "/keys.properties")).isEmpty();
		assertThat(ManifestInvariants.violations(manifests)).isEmpty();
	}

	@Test
	void productionValuesTakeTheKeysFromTheirSecret() {
		List<Manifest> manifests = HelmChart.render(Repository.CHART.resolve("ci/production-values.yaml"));

		for (String component : ServicePorts.COMPONENTS) {
			Map<String, Object> container = ManifestInvariants.containers(
					ManifestInvariants.podSpec(ManifestInvariants.component(manifests, component).get(0))).get(0);
			assertThat(ManifestInvariants.env(container)).as(component)
					.containsEntry(KEYS_FILE_VARIABLE, KEYS_DIR + "/api-keys.yaml");
		}
	}

	@Test
	void withoutAKeysSecretNothingIsMountedAndNoFileIsNamed() {
		List<Manifest> manifests = HelmChart.render((Path) null);

		for (Manifest deployment : ManifestInvariants.workloads(manifests)) {
			Map<String, Object> pod = ManifestInvariants.podSpec(deployment);
			assertThat(Manifest.asList(pod.get("volumes"))).as(deployment.id())
					.noneMatch(volume -> Manifest.at(volume, "secret") != null);
			ManifestInvariants.containers(pod).forEach(container ->
					assertThat(ManifestInvariants.env(container)).as(deployment.id()).doesNotContainKey(KEYS_FILE_VARIABLE));
		}
	}

	@Test
	void probesAndAnnotationsUseTheManagementPortAndTheServicesOnlyTheApiPort() {
		List<Manifest> manifests = HelmChart.render(Map.of("managementPort", 9100));

		for (String component : ServicePorts.COMPONENTS) {
			Manifest deployment = ManifestInvariants.component(manifests, component).get(0);
			Map<String, Object> container = ManifestInvariants.containers(ManifestInvariants.podSpec(deployment)).get(0);

			assertThat(Manifest.asList(container.get("ports"))).as("%s ports", component)
					.extracting(port -> Manifest.at(port, "name") + ":" + Manifest.at(port, "containerPort"))
					.containsExactlyInAnyOrder("http:" + ServicePorts.BY_COMPONENT.get(component), "management:9100");
			assertThat(ManifestInvariants.env(container)).as(component).containsEntry("MANAGEMENT_SERVER_PORT", "9100");
			for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
				assertThat(Manifest.at(container, probe, "httpGet", "port")).as("%s %s", component, probe)
						.isEqualTo("management");
			}
			assertThat(Manifest.asMap(Manifest.at(deployment.podTemplate(), "metadata", "annotations")))
					.as("%s scrape annotations", component)
					.containsEntry("prometheus.io/port", "9100").containsEntry("prometheus.io/path", "/actuator/prometheus");
		}
		assertThat(ManifestInvariants.actuatorOnManagementPort(manifests, 9100)).isEmpty();
		for (Manifest service : ManifestInvariants.ofKind(manifests, "Service")) {
			assertThat(service.list("spec", "ports")).as("ports of %s", service.id())
					.extracting(port -> Manifest.at(port, "targetPort")).containsExactly("http");
		}
	}

	@Test
	void serviceMonitorsScrapeTheManagementPortThroughAHeadlessServiceOfTheirOwn() {
		List<Manifest> manifests = Manifest.parseAll(HelmChart.template(
				Repository.CHART.resolve("ci/with-monitoring-values.yaml"), Map.of("managementPort", 9100)));

		List<Manifest> monitors = ManifestInvariants.ofKind(manifests, "ServiceMonitor");
		assertThat(monitors).hasSize(ServicePorts.COMPONENTS.size());
		for (Manifest monitor : monitors) {
			Map<String, Object> selector = monitor.map("spec", "selector", "matchLabels");
			List<Manifest> selected = ManifestInvariants.ofKind(manifests, "Service").stream()
					.filter(service -> service.map("metadata", "labels").entrySet().containsAll(selector.entrySet()))
					.toList();
			assertThat(selected).as("Services %s selects", monitor.id()).singleElement().satisfies(service -> {
				assertThat(service.name()).endsWith("-management");
				assertThat(service.string("spec", "clusterIP")).isEqualTo("None");
				assertThat(service.list("spec", "ports")).singleElement().satisfies(port -> {
					assertThat(Manifest.at(port, "name")).isEqualTo("management");
					assertThat(Manifest.at(port, "port")).isEqualTo(9100);
					assertThat(Manifest.at(port, "targetPort")).isEqualTo("management");
				});
			});
			assertThat(monitor.list("spec", "endpoints")).singleElement().satisfies(endpoint -> {
				assertThat(Manifest.at(endpoint, "port")).isEqualTo("management");
				assertThat(Manifest.at(endpoint, "path")).isEqualTo("/actuator/prometheus");
			});
		}
		assertThat(ManifestInvariants.violations(manifests)).isEmpty();
	}

	@Test
	void networkPoliciesAdmitTheMetricsPeersToTheManagementPortOnly() {
		List<Manifest> manifests = HelmChart.render((Path) null);
		Object metricsPeers = Manifest.at(Manifest.asMap(new Yaml(new SafeConstructor(new LoaderOptions()))
				.load(Repository.read(Repository.CHART.resolve("values.yaml")))), "networkPolicy", "metricsFrom");

		for (Manifest policy : ManifestInvariants.ofKind(manifests, "NetworkPolicy")) {
			List<Object> rules = policy.list("spec", "ingress");
			assertThat(rules).as(policy.id()).hasSize(2);
			assertThat(Manifest.at(Manifest.asList(Manifest.at(rules.get(0), "ports")).get(0), "port")).isEqualTo("http");
			assertThat(Manifest.at(rules.get(1), "ports")).asList().singleElement()
					.satisfies(port -> assertThat(Manifest.at(port, "port")).isEqualTo("management"));
			assertThat(Manifest.at(rules.get(1), "from")).as(policy.id()).isEqualTo(metricsPeers);
			assertThat(Manifest.at(rules.get(0), "from")).as("the API rule of %s", policy.id())
					.satisfiesAnyOf(from -> assertThat(from).isNull(),
							from -> assertThat(Manifest.asList(from)).doesNotContainAnyElementsOf(Manifest.asList(metricsPeers)));
		}
	}

	@Test
	void aManagementPortEqualToAnApiPortIsRefused() {
		assertThatThrownBy(() -> HelmChart.template(null, Map.of("managementPort", 8083)))
				.hasMessageContaining("managementPort (8083) must differ from batch.port");
	}

	@Test
	void composeMountsTheKeysSecretAtTheChartsPathAndScrapesTheManagementPort() {
		Map<String, Object> compose = Manifest.asMap(new Yaml(new SafeConstructor(new LoaderOptions()))
				.load(Repository.read(Repository.DOCKER.resolve("compose.yaml"))));
		Map<String, String> chartEnv = ManifestInvariants.env(ManifestInvariants.containers(ManifestInvariants.podSpec(
				ManifestInvariants.component(HelmChart.render(Map.of("security.apiKeys.existingSecret", SECRET)), "query")
						.get(0))).get(0));
		String prometheus = Repository.read(Repository.DOCKER.resolve("prometheus/prometheus.yml"));

		assertThat(Manifest.at(compose, "secrets", "api-keys", "file")).isEqualTo("./api-keys.yaml");
		for (String component : ServicePorts.COMPONENTS) {
			String module = ServicePorts.module(component);
			Map<String, Object> service = Manifest.asMap(Manifest.at(compose, "services", module));
			Map<String, Object> env = Manifest.asMap(service.get("environment"));

			assertThat(Manifest.asList(service.get("secrets"))).as("%s secrets", module).singleElement()
					.satisfies(secret -> {
						assertThat(Manifest.at(secret, "source")).isEqualTo("api-keys");
						assertThat(Manifest.at(secret, "target")).isEqualTo(env.get(KEYS_FILE_VARIABLE))
								.isEqualTo(chartEnv.get(KEYS_FILE_VARIABLE));
					});
			String managementPort = String.valueOf(env.get("MANAGEMENT_SERVER_PORT"));
			assertThat(managementPort).as(module).isEqualTo(chartEnv.get("MANAGEMENT_SERVER_PORT"));
			assertThat(prometheus).contains("- " + module + ":" + managementPort);
			assertThat(Manifest.asList(service.get("ports"))).as("%s publishes the API port only", module)
					.noneMatch(port -> port.toString().contains(managementPort));
		}
		assertThat(Repository.read(Repository.DOCKER.resolve("healthcheck.sh")))
				.contains("port=\"${MANAGEMENT_SERVER_PORT:-${SERVER_PORT:-$default_port}}\"");
		assertThat(Repository.read(Repository.path(".gitignore"))).contains("docker/api-keys.yaml");
	}

	@Test
	void newApiKeyScriptWritesAKeysFileWhoseHashIsThePrintedKeys(@TempDir Path directory)
			throws IOException, InterruptedException, NoSuchAlgorithmException {
		Path file = directory.resolve("api-keys.yaml");
		Process script = new ProcessBuilder("bash", Repository.DOCKER.resolve("new-api-key.sh").toString(), file.toString())
				.redirectError(ProcessBuilder.Redirect.INHERIT).start();
		String key = new String(script.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
		assertThat(script.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(script.exitValue()).isZero();

		Object entry = Manifest.asList(Manifest.at(new Yaml(new SafeConstructor(new LoaderOptions()))
				.load(Files.readString(file)), "api-keys")).get(0);
		String hash = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
		assertThat(key).matches("[0-9a-f]{64}"); // 256 random bits, every time
		assertThat(Manifest.at(entry, "sha256")).isEqualTo(hash);
		assertThat(Manifest.at(entry, "scopes")).isEqualTo(List.of("ingest", "read", "admin"));
		assertThat(Files.readString(file)).doesNotContain(key);

		// a second run must not replace the keys clients already use
		Process again = new ProcessBuilder("bash", Repository.DOCKER.resolve("new-api-key.sh").toString(), file.toString())
				.redirectErrorStream(true).start();
		again.getInputStream().readAllBytes();
		assertThat(again.waitFor(30, TimeUnit.SECONDS)).isTrue();
		assertThat(again.exitValue()).isEqualTo(1);
		assertThat(Manifest.at(Manifest.asList(Manifest.at(new Yaml(new SafeConstructor(new LoaderOptions()))
				.load(Files.readString(file)), "api-keys")).get(0), "sha256")).isEqualTo(hash);
	}
}
