package io.lambda.deploytests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The speed layer's engine streams as the chart and the kustomize overlays install it: a StatefulSet
 * with a state volume per pod, a DNS name per pod that it advertises, standby replicas, and the
 * internal key with which query-service reads the speed cells over HTTP.
 */
class SpeedLayerDeploymentTests {

	private static final String HEADLESS = "lambda-speed-headless";

	private static final String ADVERTISED_HOST = "$(POD_NAME)." + HEADLESS + ".$(POD_NAMESPACE).svc";

	private static final String INTERNAL_KEY_SECRET = "lambda-speed-internal-api-key";

	@Test
	void chartRunsSpeedAsAStatefulSetWithAClaimPerPodBehindAHeadlessService() {
		List<Manifest> manifests = HelmChart.render((Path) null);
		Manifest speed = speed(manifests);

		assertThat(speed.kind()).isEqualTo("StatefulSet");
		assertThat(speed.string("spec", "serviceName")).isEqualTo(HEADLESS);
		assertThat(speed.string("spec", "podManagementPolicy")).isEqualTo("Parallel");
		assertThat(speed.string("spec", "updateStrategy", "type")).isEqualTo("RollingUpdate");
		assertThat(speed.list("spec", "volumeClaimTemplates")).singleElement().satisfies(claim -> {
			assertThat(Manifest.at(claim, "metadata", "name")).isEqualTo("state");
			assertThat(Manifest.at(claim, "spec", "resources", "requests", "storage")).isEqualTo("10Gi");
			assertThat(Manifest.at(claim, "spec", "storageClassName")).isNull();
		});
		// 30 s of HTTP drain, then Kafka Streams' close (30 s) must fit before the kubelet kills the pod
		assertThat((Integer) ManifestInvariants.podSpec(speed).get("terminationGracePeriodSeconds")).isGreaterThanOrEqualTo(60);
		Map<String, String> env = ManifestInvariants.env(container(speed));
		assertThat(env).containsEntry("LAMBDA_SPEED_ENGINE", "streams")
				.containsEntry("LAMBDA_SPEED_STATE_DIR", "/data")
				.containsEntry("LAMBDA_SPEED_STREAMS_ADVERTISED_HOST", ADVERTISED_HOST)
				.containsEntry("LAMBDA_SPEED_STREAMS_STANDBY_REPLICAS", "1")
				// static membership: the instance id is HOSTNAME, the pod's stable name, by default
				.doesNotContainKey("LAMBDA_SPEED_STREAMS_INSTANCE_ID");
		Manifest headless = find(manifests, "Service", HEADLESS);
		assertThat(headless.string("spec", "clusterIP")).isEqualTo("None");
		assertThat(headless.get("spec", "publishNotReadyAddresses")).isEqualTo(true);
		assertThat(find(manifests, "Service", "lambda-speed").string("spec", "clusterIP")).isNull();
		Manifest budget = find(manifests, "PodDisruptionBudget", "lambda-speed");
		assertThat(budget.get("spec", "maxUnavailable")).isEqualTo(1);
		assertThat(ManifestInvariants.violations(manifests)).isEmpty();
	}

	@Test
	void withoutPersistenceTheStateIsAnEmptyDirAndAStorageClassReachesTheClaims() {
		List<Manifest> ephemeral = HelmChart.render(Map.of("speed.persistence.enabled", false));
		Manifest speed = speed(ephemeral);

		assertThat(speed.list("spec", "volumeClaimTemplates")).isEmpty();
		assertThat(Manifest.asList(ManifestInvariants.podSpec(speed).get("volumes")))
				.filteredOn(volume -> "state".equals(Manifest.at(volume, "name"))).singleElement()
				.satisfies(volume -> assertThat(Manifest.at(volume, "emptyDir", "sizeLimit")).isEqualTo("10Gi"));
		assertThat(ManifestInvariants.violations(ephemeral)).isEmpty();

		Manifest claimed = speed(HelmChart.render(Map.of("speed.persistence.storageClass", "fast-ssd",
				"speed.persistence.size", "50Gi")));
		assertThat(claimed.list("spec", "volumeClaimTemplates")).singleElement().satisfies(claim -> {
			assertThat(Manifest.at(claim, "spec", "storageClassName")).isEqualTo("fast-ssd");
			assertThat(Manifest.at(claim, "spec", "resources", "requests", "storage")).isEqualTo("50Gi");
		});
	}

	@Test
	void queryReadsTheSpeedServiceWithAGeneratedKeyWhoseHashSpeedAcceptsWithScopeInternal() {
		List<Manifest> manifests = HelmChart.render((Path) null);
		Map<String, Object> query = container(ManifestInvariants.component(manifests, "query").get(0));
		Map<String, Object> speed = container(speed(manifests));

		assertThat(ManifestInvariants.env(query)).containsEntry("LAMBDA_QUERY_SPEED_URL", "http://lambda-speed:8082")
				.containsEntry("LAMBDA_SPEED_ENGINE", "streams");
		assertThat(ManifestInvariants.secretReference(query, "LAMBDA_QUERY_SPEED_API_KEY"))
				.isEqualTo(INTERNAL_KEY_SECRET + "/api-key");
		assertThat(ManifestInvariants.env(speed)).containsEntry("LAMBDA_SECURITY_API_KEYS_0_ID", "query-service")
				.containsEntry("LAMBDA_SECURITY_API_KEYS_0_SCOPES", "internal");
		assertThat(ManifestInvariants.secretReference(speed, "LAMBDA_SECURITY_API_KEYS_0_SHA256"))
				.isEqualTo(INTERNAL_KEY_SECRET + "/api-key-sha256");
		Map<String, String> secret = ManifestInvariants.secretData(find(manifests, "Secret", INTERNAL_KEY_SECRET));
		assertThat(secret.get("api-key")).hasSizeGreaterThanOrEqualTo(32);
		assertThat(secret.get("api-key-sha256")).isEqualTo(ManifestInvariants.sha256Hex(secret.get("api-key")));
		assertThat(ManifestInvariants.queryReadsSpeedWithTheInternalKey(manifests)).isEmpty();
		// a new install draws a new key
		assertThat(ManifestInvariants.secretData(find(HelmChart.render((Path) null), "Secret", INTERNAL_KEY_SECRET))
				.get("api-key")).isNotEqualTo(secret.get("api-key"));
	}

	@Test
	void anUpgradeKeepsTheKeyOfTheInstalledSecret() {
		String installed = "key-of-the-release-installed-before-0123456789";
		String lookupAnswer = "(dict \"data\" (dict \"api-key\" (b64enc \"" + installed + "\")))";
		List<Manifest> manifests = Manifest.parseAll(HelmChart.template(null, Map.of(), lookupAnswer));

		Map<String, String> secret = ManifestInvariants.secretData(find(manifests, "Secret", INTERNAL_KEY_SECRET));
		assertThat(secret).containsEntry("api-key", installed)
				.containsEntry("api-key-sha256", ManifestInvariants.sha256Hex(installed));
	}

	@Test
	void anExistingKeySecretIsReferencedAndNoneIsRendered() {
		List<Manifest> manifests = HelmChart.render(Map.of("speed.internalApiKey.existingSecret", "my-internal-key"));

		assertThat(ManifestInvariants.ofKind(manifests, "Secret")).isEmpty();
		assertThat(ManifestInvariants.secretReference(container(ManifestInvariants.component(manifests, "query").get(0)),
				"LAMBDA_QUERY_SPEED_API_KEY")).isEqualTo("my-internal-key/api-key");
		assertThat(ManifestInvariants.secretReference(container(speed(manifests)), "LAMBDA_SECURITY_API_KEYS_0_SHA256"))
				.isEqualTo("my-internal-key/api-key-sha256");
		assertThat(ManifestInvariants.violations(manifests)).isEmpty();
	}

	@Test
	void engineWriterIsSetForSpeedAndQueryAndKeepsTheSameShape() {
		List<Manifest> manifests = HelmChart.render(Map.of("speed.engine", "writer", "speed.standbyReplicas", 0));

		for (String component : List.of("speed", "query")) {
			assertThat(ManifestInvariants.env(container(ManifestInvariants.component(manifests, component).get(0))))
					.as(component).containsEntry("LAMBDA_SPEED_ENGINE", "writer");
		}
		assertThat(ManifestInvariants.env(container(speed(manifests))))
				.containsEntry("LAMBDA_SPEED_STREAMS_STANDBY_REPLICAS", "0");
		assertThat(speed(manifests).list("spec", "volumeClaimTemplates")).as("switching engines needs no new StatefulSet")
				.hasSize(1);
		assertThat(ManifestInvariants.violations(manifests)).isEmpty();
	}

	@Test
	void speedPolicyAdmitsQueryAndTheOtherSpeedPodsWhateverItsOwnPeers(@TempDir Path directory) throws IOException {
		Path values = directory.resolve("narrow-values.yaml");
		Files.writeString(values, """
				speed:
				  networkPolicy:
				    from:
				      - namespaceSelector:
				          matchLabels: {team: analytics}
				""");
		List<Manifest> narrowed = HelmChart.render(values);
		Manifest policy = find(narrowed, "NetworkPolicy", "lambda-speed");

		assertThat(Manifest.asList(Manifest.at(policy.list("spec", "ingress").get(0), "from")))
				.extracting(peer -> Manifest.at(peer, "podSelector", "matchLabels", "app.kubernetes.io/component"))
				.containsExactly(null, "query", "speed");
		assertThat(ManifestInvariants.speedAdmitsQueryAndItsPeers(narrowed)).isEmpty();
		// empty from: any source, nothing added that would narrow it
		Path anySource = directory.resolve("any-source-values.yaml");
		Files.writeString(anySource, "speed:\n  networkPolicy:\n    from: []\n");
		Manifest open = find(HelmChart.render(anySource), "NetworkPolicy", "lambda-speed");
		assertThat(Manifest.at(open.list("spec", "ingress").get(0), "from")).isNull();
	}

	@Test
	void replicasUpToThePartitionCountAreAccepted() {
		assertThat(speed(HelmChart.render(Map.of("speed.replicaCount", 6))).get("spec", "replicas")).isEqualTo(6);
	}

	@ParameterizedTest
	@ValueSource(strings = { "local", "production" })
	void kustomizeOverlaysInstallTheSameSpeedShapeAsTheChart(String overlay) {
		List<Manifest> chart = HelmChart.render((Path) null);
		List<Manifest> manifests = Manifest.parseAll(KustomizeOverlaysTests.kustomize("overlays/" + overlay));
		Manifest speed = speed(manifests);
		Map<String, Object> speedContainer = container(speed);
		Map<String, Object> queryContainer = container(ManifestInvariants.component(manifests, "query").get(0));

		assertThat(speed.kind()).isEqualTo("StatefulSet");
		assertThat(speed.string("spec", "serviceName")).isEqualTo(HEADLESS);
		assertThat(speed.list("spec", "volumeClaimTemplates")).extracting(claim -> Manifest.at(claim, "metadata", "name"))
				.containsExactly("state");
		assertThat(find(manifests, "Service", HEADLESS).get("spec", "publishNotReadyAddresses")).isEqualTo(true);
		Map<String, String> speedEnv = ManifestInvariants.resolvedEnv(manifests, speedContainer);
		assertThat(speedEnv).containsEntry("LAMBDA_SPEED_ENGINE", "streams")
				.containsEntry("LAMBDA_SPEED_STREAMS_ADVERTISED_HOST", ADVERTISED_HOST)
				.containsEntry("LAMBDA_SPEED_STREAMS_STANDBY_REPLICAS", "1");
		assertThat(ManifestInvariants.resolvedEnv(manifests, queryContainer))
				.containsEntry("LAMBDA_SPEED_ENGINE", "streams")
				.containsEntry("LAMBDA_QUERY_SPEED_URL", "http://lambda-speed:8082");
		assertThat(speedSettings(manifests, "speed")).as("speed settings of overlay %s and of the chart", overlay)
				.isEqualTo(speedSettings(chart, "speed"));
		assertThat(speedSettings(manifests, "query")).as("query's speed settings of overlay %s and of the chart", overlay)
				.isEqualTo(speedSettings(chart, "query"));
		assertThat(ManifestInvariants.queryReadsSpeedWithTheInternalKey(manifests)).isEmpty();
		assertThat(ManifestInvariants.speedAdmitsQueryAndItsPeers(manifests)).isEmpty();
		List<Manifest> secrets = ManifestInvariants.ofKind(manifests, "Secret");
		if (overlay.equals("local")) {
			// generated with a hash suffix, which kustomize writes into both references
			assertThat(secrets).singleElement().satisfies(secret -> {
				assertThat(secret.name()).startsWith(INTERNAL_KEY_SECRET + "-");
				assertThat(ManifestInvariants.secretReference(queryContainer, "LAMBDA_QUERY_SPEED_API_KEY"))
						.isEqualTo(secret.name() + "/api-key");
			});
		}
		else {
			// production creates it with a random key (k8s/README.md)
			assertThat(secrets).isEmpty();
			assertThat(ManifestInvariants.secretReference(queryContainer, "LAMBDA_QUERY_SPEED_API_KEY"))
					.isEqualTo(INTERNAL_KEY_SECRET + "/api-key");
		}
	}

	@Test
	void localOverlaysKeyIsMarkedAsNotASecret() {
		Map<String, String> secret = ManifestInvariants.secretData(ManifestInvariants.ofKind(
				Manifest.parseAll(KustomizeOverlaysTests.kustomize("overlays/local")), "Secret").get(0));

		assertThat(secret.get("api-key")).contains("not-a-secret");
		assertThat(secret.get("api-key-sha256")).isEqualTo(ManifestInvariants.sha256Hex(secret.get("api-key")));
	}

	/** Names of the speed-related variables of a component's container: what the Java side reads. */
	private static Set<String> speedSettings(List<Manifest> manifests, String component) {
		Map<String, Object> container = container(ManifestInvariants.component(manifests, component).get(0));
		return ManifestInvariants.resolvedEnv(manifests, container).keySet().stream()
				.filter(name -> name.startsWith("LAMBDA_SPEED_") || name.startsWith("LAMBDA_QUERY_SPEED_")
						|| name.matches("LAMBDA_SECURITY_API_KEYS_\\d+_.*") || name.startsWith("POD_"))
				.collect(Collectors.toCollection(TreeSet::new));
	}

	private static Manifest speed(List<Manifest> manifests) {
		return ManifestInvariants.component(manifests, "speed").get(0);
	}

	private static Map<String, Object> container(Manifest workload) {
		return ManifestInvariants.containers(ManifestInvariants.podSpec(workload)).get(0);
	}

	private static Manifest find(List<Manifest> manifests, String kind, String name) {
		return manifests.stream().filter(m -> m.kind().equals(kind) && m.name().equals(name)).findFirst().orElseThrow();
	}
}
