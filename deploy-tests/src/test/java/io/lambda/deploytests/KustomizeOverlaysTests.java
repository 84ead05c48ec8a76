package io.lambda.deploytests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import io.lambda.core.view.ViewCatalog;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * kubectl kustomize of k8s/overlays/local and production succeeds offline, and the output keeps the
 * same invariants as the Helm chart's.
 */
class KustomizeOverlaysTests {

	/** The Secret the base mounts, and the file in it: the names docs/security.md and the chart use. */
	static final String API_KEYS_SECRET = "lambda-api-keys";

	static final String API_KEYS_FILE = "/etc/lambda/api-keys/api-keys.yaml";

	/** The chart's default managementPort. */
	static final int MANAGEMENT_PORT = 9000;

	@ParameterizedTest
	@ValueSource(strings = { "local", "production" })
	void overlayBuildsAndKeepsEveryInvariant(String overlay) {
		List<Manifest> manifests = Manifest.parseAll(kustomize("overlays/" + overlay));

		assertThat(ManifestInvariants.violations(manifests)).as("violations of overlay %s", overlay).isEmpty();
		for (Map.Entry<String, Integer> component : ServicePorts.BY_COMPONENT.entrySet()) {
			Manifest deployment = ManifestInvariants.component(manifests, component.getKey()).get(0);
			Map<String, Object> container = ManifestInvariants.containers(ManifestInvariants.podSpec(deployment)).get(0);
			assertThat(Manifest.at(container, "ports")).asList()
					.extracting(port -> Manifest.at(port, "name") + ":" + Manifest.at(port, "containerPort"))
					.as("%s container ports: http = server.port of its application.yaml, and management", component.getKey())
					.containsExactlyInAnyOrder("http:" + component.getValue(), "management:" + MANAGEMENT_PORT);
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "local", "production" })
	void everyServiceReadsItsKeysFromTheOptionalSecretAndServesTheActuatorOnTheManagementPort(String overlay) {
		List<Manifest> manifests = Manifest.parseAll(kustomize("overlays/" + overlay));

		assertThat(ManifestInvariants.services(manifests)).as("Deployments and StatefulSets of %s", overlay)
				.hasSize(ServicePorts.COMPONENTS.size());
		assertThat(ManifestInvariants.apiKeysFromSecret(manifests, API_KEYS_SECRET, API_KEYS_FILE))
				.as("API keys in overlay %s", overlay).isEmpty();
		assertThat(ManifestInvariants.actuatorOnManagementPort(manifests, MANAGEMENT_PORT))
				.as("management port in overlay %s", overlay).isEmpty();
		for (Manifest deployment : ManifestInvariants.services(manifests)) {
			// no ServiceMonitor here: the annotations are how Prometheus finds the pods
			assertThat(Manifest.at(deployment.podTemplate(), "metadata", "annotations", "prometheus.io/scrape"))
					.as("%s scrape annotation", deployment.id()).isEqualTo("true");
			// optional: a pod starts without the Secret and answers 401 until it exists
			assertThat(Manifest.asList(ManifestInvariants.podSpec(deployment).get("volumes")))
					.filteredOn(volume -> API_KEYS_SECRET.equals(Manifest.at(volume, "secret", "secretName")))
					.singleElement()
					.satisfies(volume -> assertThat(Manifest.at(volume, "secret", "optional")).isEqualTo(true));
		}
		for (Manifest policy : ManifestInvariants.ofKind(manifests, "NetworkPolicy")) {
			assertThat(policy.list("spec", "ingress")).as("ingress rules of %s", policy.id())
					.anySatisfy(rule -> assertThat(Manifest.at(rule, "ports")).asList().singleElement()
							.satisfies(port -> assertThat(Manifest.at(port, "port")).isEqualTo("management")));
		}
	}

	@ParameterizedTest
	@ValueSource(strings = { "local", "production" })
	void overlayShipsTheContractViews(String overlay) {
		List<Manifest> manifests = Manifest.parseAll(kustomize("overlays/" + overlay));
		Manifest views = manifests.stream()
				.filter(m -> m.kind().equals("ConfigMap") && m.map("data").containsKey(ManifestInvariants.VIEWS_FILE))
				.findFirst().orElseThrow();

		assertThat(ManifestInvariants.views(views)).isEqualTo(ViewCatalog.defaults());
	}

	@ParameterizedTest
	@ValueSource(strings = { "local", "production" })
	void overlayTargetsItsOwnNamespaceAndTheProductionOneScalesOut(String overlay) {
		List<Manifest> manifests = Manifest.parseAll(kustomize("overlays/" + overlay));

		assertThat(manifests).filteredOn(m -> !m.kind().equals("Namespace"))
				.allSatisfy(m -> assertThat(m.string("metadata", "namespace")).as(m.id()).isEqualTo("lambda"));
		List<String> autoscaled = ManifestInvariants.ofKind(manifests, "HorizontalPodAutoscaler").stream()
				.map(Manifest::name).toList();
		if (overlay.equals("production")) {
			assertThat(autoscaled).containsExactlyInAnyOrder("lambda-ingest", "lambda-query");
			assertThat(ManifestInvariants.component(manifests, "speed").get(0).get("spec", "replicas")).isEqualTo(12);
		}
		else {
			assertThat(autoscaled).isEmpty();
		}
	}

	/** The output of kubectl kustomize k8s/<path>; fails with a clear message when kubectl is missing. */
	static String kustomize(String path) {
		Path errors;
		Process process;
		try {
			errors = Files.createTempFile("kustomize", ".err");
			process = new ProcessBuilder("kubectl", "kustomize", Repository.K8S.resolve(path).toString())
					.redirectError(errors.toFile())
					.start();
		}
		catch (IOException e) {
			throw new AssertionError("kubectl is needed to build the kustomize overlays (kubectl kustomize works "
					+ "offline, no cluster): install the kubectl client and put it on the PATH. " + e.getMessage(), e);
		}
		try {
			process.getOutputStream().close();
			String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
			if (!process.waitFor(60, TimeUnit.SECONDS)) {
				process.destroyForcibly();
				throw new AssertionError("kubectl kustomize " + path + " did not finish within 60 s");
			}
			assertThat(process.exitValue()).as("kubectl kustomize %s failed: %s", path,
					Files.readString(errors)).isZero();
			return output;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		catch (InterruptedException e) {
			Thread.currentThread().interrupt();
			throw new AssertionError("interrupted while running kubectl kustomize " + path, e);
		}
	}
}
