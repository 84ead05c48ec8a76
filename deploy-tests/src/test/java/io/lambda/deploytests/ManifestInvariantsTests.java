package io.lambda.deploytests;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The checks bite: each test breaks one thing in an otherwise valid rendering (the chart's, with the
 * monitoring resources on) and expects the matching violation.
 */
class ManifestInvariantsTests {

	private static String rendered;

	@BeforeAll
	static void render() {
		rendered = HelmChart.template(Repository.CHART.resolve("ci/with-monitoring-values.yaml"), Map.of());
	}

	@Test
	void theUnbrokenRenderingHasNoViolations() {
		assertThat(ManifestInvariants.violations(Manifest.parseAll(rendered))).isEmpty();
	}

	@Test
	void aContainerRunningAsRootIsCaught() {
		assertThat(violationsAfter(deployment("ingest", d -> container(d).put("securityContext",
				new LinkedHashMap<>(Map.of("runAsUser", 0, "allowPrivilegeEscalation", false,
						"readOnlyRootFilesystem", true, "capabilities", Map.of("drop", List.of("ALL"))))))))
				.anyMatch(v -> v.contains("Deployment/lambda-ingest container ingest: runs as user 0"));
	}

	@Test
	void privilegeEscalationCapabilitiesAndAWritableRootAreCaught() {
		assertThat(violationsAfter(deployment("speed", d -> container(d).put("securityContext",
				new LinkedHashMap<>(Map.of("capabilities", Map.of("add", List.of("NET_ADMIN"))))))))
				.anyMatch(v -> v.endsWith("allowPrivilegeEscalation is not false"))
				.anyMatch(v -> v.endsWith("does not drop ALL capabilities"))
				.anyMatch(v -> v.contains("adds capabilities [NET_ADMIN]"))
				.anyMatch(v -> v.endsWith("root filesystem is not read-only"));
	}

	@Test
	void aPodWithoutSeccompIsCaught() {
		assertThat(violationsAfter(deployment("query", d -> podSpec(d).remove("securityContext"))))
				.contains("Deployment/lambda-query container query: seccomp profile is not RuntimeDefault");
		assertThat(violationsAfter(deployment("query", d -> {
			podSpec(d).remove("securityContext");
			Manifest.asMap(container(d).get("securityContext")).remove("runAsNonRoot");
		}))).contains("Deployment/lambda-query container query: runAsNonRoot is not true");
	}

	@Test
	void aContainerWithoutLimitsIsCaught() {
		assertThat(violationsAfter(deployment("batch", d -> Manifest.asMap(container(d).get("resources")).remove("limits"))))
				.contains("Deployment/lambda-batch container batch: no limits.cpu",
						"Deployment/lambda-batch container batch: no limits.memory");
	}

	@Test
	void aMissingOrMisdirectedProbeIsCaught() {
		assertThat(violationsAfter(deployment("ingest", d -> {
			container(d).remove("readinessProbe");
			Manifest.asMap(Manifest.at(container(d), "livenessProbe", "httpGet")).put("port", "metrics");
		})))
				.anyMatch(v -> v.contains("readinessProbe is not an HTTP GET of /actuator/health/readiness"))
				.anyMatch(v -> v.contains("livenessProbe port metrics is not a container port"));
	}

	@Test
	void aSelectorThatMissesItsPodsIsCaught() {
		assertThat(violationsAfter(manifests -> {
			Manifest service = find(manifests, "Service", "lambda-query");
			service.map("spec", "selector").put("app.kubernetes.io/component", "querry");
		})).contains("Service/lambda-query: selector {app.kubernetes.io/name=lambda, app.kubernetes.io/instance=lambda, "
				+ "app.kubernetes.io/component=querry} matches no pod template");
		assertThat(violationsAfter(deployment("speed",
				d -> d.map("spec", "selector", "matchLabels").put("app.kubernetes.io/component", "fast"))))
				.anyMatch(v -> v.startsWith("StatefulSet/lambda-speed: selector") && v.contains("does not match its pod labels"));
		assertThat(violationsAfter(manifests -> find(manifests, "ServiceMonitor", "lambda-batch")
				.map("spec", "selector", "matchLabels").put("app.kubernetes.io/component", "none")))
				.anyMatch(v -> v.startsWith("ServiceMonitor/lambda-batch: selector"));
	}

	@Test
	void aServiceTargetingAPortNoContainerHasIsCaught() {
		assertThat(violationsAfter(manifests -> {
			Manifest service = find(manifests, "Service", "lambda-ingest");
			Manifest.asMap(service.list("spec", "ports").get(0)).put("targetPort", 9999);
		})).anyMatch(v -> v.startsWith("Service/lambda-ingest: targetPort 9999 is no container port"));
	}

	@Test
	void aViewsFileThatIsNotMountedOrDoesNotLoadIsCaught() {
		assertThat(violationsAfter(deployment("query", d -> {
			for (Object variable : Manifest.asList(container(d).get("env"))) {
				if ("SPRING_CONFIG_ADDITIONAL_LOCATION".equals(Manifest.at(variable, "name"))) {
					Manifest.asMap(variable).put("value", "optional:file:/config/");
				}
			}
		}))).anyMatch(v -> v.contains("is a folder: Spring only reads application.yaml from it"));
		assertThat(violationsAfter(manifests -> find(manifests, "ConfigMap", "lambda-config").map("data")
				.put(ManifestInvariants.VIEWS_FILE, "lambda:\n  views:\n    - name: pageviews\n      eventType: pageview\n"
						+ "      measure: avg(amount)\n      granularities: [hour]\n")))
				.anyMatch(v -> v.startsWith("ConfigMap/lambda-config: views.yaml does not load") && v.contains("avg"));
	}

	@Test
	void servicesDisagreeingOnTheTopicOrTooManySpeedReplicasAreCaught() {
		assertThat(violationsAfter(deployment("speed", d -> {
			d.map("spec").put("replicas", 7);
			for (Object variable : Manifest.asList(container(d).get("env"))) {
				if ("LAMBDA_EVENTS_TOPIC".equals(Manifest.at(variable, "name"))) {
					Manifest.asMap(variable).put("value", "other.topic");
				}
			}
		})))
				.anyMatch(v -> v.startsWith("the topic differs between services"))
				.contains("StatefulSet/lambda-speed: 7 replicas for 6 partitions");
	}

	@Test
	void aSecondBatchSchedulerIsCaught() {
		assertThat(violationsAfter(deployment("batch", d -> {
			d.map("spec").put("replicas", 2);
			d.map("spec").put("strategy", Map.of("type", "RollingUpdate"));
		}))).contains("Deployment/lambda-batch: replicas must be 0 or 1, was 2",
				"Deployment/lambda-batch: a rolling update would run two schedulers at once; use Recreate");
	}

	@Test
	void aDanglingReferenceOrARenderedSecretIsCaught() {
		assertThat(violationsAfter(manifests -> {
			manifests.removeIf(m -> m.kind().equals("ServiceAccount"));
			manifests.add(new Manifest(new LinkedHashMap<>(Map.of("kind", "Secret", "metadata", Map.of("name", "oops")))));
		})).contains("Deployment/lambda-ingest: ServiceAccount lambda is not rendered",
				"Secret/oops: the manifests carry no Secret but the internal API key (api-key, api-key-sha256), this one holds []");
		assertThat(violationsAfter(manifests -> find(manifests, "Secret", "lambda-speed-internal-api-key").map("data")
				.put("api-key-sha256", Base64.getEncoder().encodeToString("0".repeat(64).getBytes(StandardCharsets.UTF_8)))))
				.contains("Secret/lambda-speed-internal-api-key: api-key-sha256 is not the SHA-256 of api-key");
	}

	@Test
	void aSpeedWithoutStableNamesOrItsOwnStateVolumeIsCaught() {
		assertThat(violationsAfter(deployment("speed", d -> d.body().put("kind", "Deployment"))))
				.contains("Deployment/lambda-speed: the speed service must be a StatefulSet (stable names, a volume per pod)");
		assertThat(violationsAfter(deployment("speed", d -> {
			d.map("spec").remove("volumeClaimTemplates");
			d.map("spec").put("podManagementPolicy", "OrderedReady");
			d.map("spec").put("serviceName", "lambda-speed");
		})))
				.contains("StatefulSet/lambda-speed: podManagementPolicy is not Parallel: pods would start one after the other",
						"StatefulSet/lambda-speed: serviceName lambda-speed is no rendered headless Service selecting its pods")
				.anyMatch(v -> v.startsWith("StatefulSet/lambda-speed container speed: LAMBDA_SPEED_STATE_DIR (/data) is not"))
				.anyMatch(v -> v.contains("mounts volume state, which the pod does not declare"));
	}

	@Test
	void anAdvertisedHostOtherPodsCannotResolveIsCaught() {
		assertThat(violationsAfter(deployment("speed", d -> setEnv(container(d), "LAMBDA_SPEED_STREAMS_ADVERTISED_HOST",
				"$(HOSTNAME).lambda-speed-headless.analytics.svc"))))
				.anyMatch(v -> v.startsWith("StatefulSet/lambda-speed container speed: LAMBDA_SPEED_STREAMS_ADVERTISED_HOST is "
						+ "$(HOSTNAME)"));
		assertThat(violationsAfter(deployment("speed", d -> {
			List<Object> env = Manifest.asList(container(d).get("env"));
			Object podName = env.stream().filter(v -> "POD_NAME".equals(Manifest.at(v, "name"))).findFirst().orElseThrow();
			env.remove(podName);
			env.add(podName);
		}))).contains("StatefulSet/lambda-speed container speed: POD_NAME is not metadata.name from the downward API, "
				+ "defined before the advertised host");
	}

	@Test
	void aQueryServiceWithoutTheSpeedUrlOrWithAKeySpeedDoesNotAcceptIsCaught() {
		assertThat(violationsAfter(deployment("query", d -> {
			setEnv(container(d), "LAMBDA_QUERY_SPEED_URL", "http://lambda-speed-headless:8082");
			Manifest.asList(container(d).get("env")).stream()
					.filter(v -> "LAMBDA_QUERY_SPEED_API_KEY".equals(Manifest.at(v, "name")))
					.forEach(v -> Manifest.asMap(Manifest.at(v, "valueFrom", "secretKeyRef")).put("name", "another-key"));
		})))
				.anyMatch(v -> v.startsWith("Deployment/lambda-query container query: LAMBDA_QUERY_SPEED_URL "
						+ "http://lambda-speed-headless:8082 is not"))
				.anyMatch(v -> v.startsWith("Deployment/lambda-query container query: speed-service accepts no key of scope "
						+ "internal with the SHA-256 another-key/api-key-sha256"));
		assertThat(violationsAfter(deployment("speed", d -> setEnv(container(d), "LAMBDA_SECURITY_API_KEYS_0_SCOPES", "read"))))
				.anyMatch(v -> v.startsWith("Deployment/lambda-query container query: speed-service accepts no key of scope internal"));
	}

	@Test
	void aSpeedPolicyThatShutsOutQueryOrTheOtherSpeedPodsIsCaught() {
		assertThat(violationsAfter(manifests -> {
			Manifest policy = find(manifests, "NetworkPolicy", "lambda-speed");
			Manifest.asMap(policy.list("spec", "ingress").get(0)).put("from", List.of(
					Map.of("namespaceSelector", Map.of("matchLabels", Map.of("kubernetes.io/metadata.name", "analytics")))));
		})).contains("NetworkPolicy/lambda-speed: does not admit Deployment/lambda-query to the speed pods' http port",
				"NetworkPolicy/lambda-speed: does not admit StatefulSet/lambda-speed to the speed pods' http port");
	}

	@Test
	void aCopiedOrMisnamedKeysFileIsCaught() {
		List<Manifest> manifests = Manifest.parseAll(HelmChart.template(
				Repository.CHART.resolve("ci/with-monitoring-values.yaml"),
				Map.of("security.apiKeys.existingSecret", "lambda-api-keys")));
		String keysFile = "/etc/lambda/api-keys/api-keys.yaml";
		assertThat(ManifestInvariants.apiKeysFromSecret(manifests, "lambda-api-keys", keysFile)).isEmpty();

		Map<String, Object> ingest = container(ManifestInvariants.component(manifests, "ingest").get(0));
		Manifest.asList(ingest.get("volumeMounts")).stream().filter(m -> "api-keys".equals(Manifest.at(m, "name")))
				.forEach(mount -> Manifest.asMap(mount).put("subPath", "api-keys.yaml"));
		Manifest.asList(container(ManifestInvariants.component(manifests, "query").get(0)).get("env")).stream()
				.filter(v -> "LAMBDA_SECURITY_API_KEYS_FILE".equals(Manifest.at(v, "name")))
				.forEach(variable -> Manifest.asMap(variable).put("value", "/etc/lambda/keys.yaml"));
		podSpec(ManifestInvariants.component(manifests, "speed").get(0)).remove("volumes");

		assertThat(ManifestInvariants.apiKeysFromSecret(manifests, "lambda-api-keys", keysFile))
				.anyMatch(v -> v.startsWith("Deployment/lambda-ingest container ingest: the Secret lambda-api-keys is not mounted"))
				.anyMatch(v -> v.equals("Deployment/lambda-query container query: LAMBDA_SECURITY_API_KEYS_FILE is "
						+ "/etc/lambda/keys.yaml, not " + keysFile))
				.contains("StatefulSet/lambda-speed: 0 volumes of the Secret lambda-api-keys, not 1");
	}

	@Test
	void anActuatorOnTheApiPortIsCaught() {
		List<Manifest> manifests = new ArrayList<>(Manifest.parseAll(rendered));
		assertThat(ManifestInvariants.actuatorOnManagementPort(manifests, 9000)).isEmpty();

		Manifest batch = ManifestInvariants.component(manifests, "batch").get(0);
		Manifest.asMap(Manifest.at(container(batch), "readinessProbe", "httpGet")).put("port", "http");
		Map<String, Object> annotations = Manifest.asMap(Manifest.at(batch.podTemplate(), "metadata", "annotations"));
		annotations.put("prometheus.io/scrape", "true");
		annotations.put("prometheus.io/port", "8083");
		Manifest.asList(find(manifests, "Service", "lambda-query").list("spec", "ports")).forEach(port ->
				Manifest.asMap(port).put("targetPort", "management"));

		assertThat(ManifestInvariants.actuatorOnManagementPort(manifests, 9000))
				.contains("Deployment/lambda-batch container batch: the readinessProbe is not on the management port",
						"Service/lambda-query: exposes the management port")
				.anyMatch(v -> v.startsWith("Deployment/lambda-batch: the scrape annotations do not name port 9000"));
		assertThat(ManifestInvariants.actuatorOnManagementPort(manifests, 9100))
				.anyMatch(v -> v.equals("Deployment/lambda-ingest container ingest: no container port management = 9100"))
				.anyMatch(v -> v.equals("Deployment/lambda-ingest container ingest: MANAGEMENT_SERVER_PORT is 9000, not 9100"));
	}

	private static List<String> violationsAfter(Consumer<List<Manifest>> breakage) {
		List<Manifest> manifests = new ArrayList<>(Manifest.parseAll(rendered));
		breakage.accept(manifests);
		return ManifestInvariants.violations(manifests);
	}

	private static Consumer<List<Manifest>> deployment(String component, Consumer<Manifest> breakage) {
		return manifests -> breakage.accept(ManifestInvariants.component(manifests, component).get(0));
	}

	private static Manifest find(List<Manifest> manifests, String kind, String name) {
		return manifests.stream().filter(m -> m.kind().equals(kind) && m.name().equals(name)).findFirst().orElseThrow();
	}

	private static Map<String, Object> podSpec(Manifest workload) {
		return ManifestInvariants.podSpec(workload);
	}

	private static Map<String, Object> container(Manifest workload) {
		return ManifestInvariants.containers(podSpec(workload)).get(0);
	}

	private static void setEnv(Map<String, Object> container, String name, String value) {
		Manifest.asList(container.get("env")).stream().filter(v -> name.equals(Manifest.at(v, "name")))
				.forEach(variable -> Manifest.asMap(variable).put("value", value));
	}
}
