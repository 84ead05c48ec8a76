package io.lambda.deploytests;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.marcnuri.helm.LintResult;
import io.lambda.core.view.ViewCatalog;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * helm lint --strict and helm template of helm/lambda for the default values and every
 * ci/*-values.yaml, and the invariants of {@link ManifestInvariants} on each rendering.
 */
class HelmChartTests {

	static Stream<Arguments> valuesFiles() {
		List<Arguments> files = new ArrayList<>();
		files.add(Arguments.of("default values", null));
		HelmChart.ciValuesFiles().forEach(file -> files.add(Arguments.of(file.getFileName().toString(), file)));
		return files.stream();
	}

	@Test
	void chartShipsCiValuesForMinimalProductionMonitoringAndOperators() {
		assertThat(HelmChart.ciValuesFiles()).extracting(file -> file.getFileName().toString())
				.contains("minimal-values.yaml", "production-values.yaml", "with-monitoring-values.yaml",
						"operators-values.yaml");
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("valuesFiles")
	void lintStrictPasses(String name, Path valuesFile) {
		LintResult lint = HelmChart.lintStrict(valuesFile);

		assertThat(lint.isFailed()).as("helm lint --strict with %s: %s", name, lint.getMessages()).isFalse();
		assertThat(lint.getMessages()).noneMatch(message -> message.contains("[WARNING]") || message.contains("[ERROR]"));
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("valuesFiles")
	void renderedManifestsKeepEveryInvariant(String name, Path valuesFile) {
		List<Manifest> manifests = HelmChart.render(valuesFile);

		assertThat(ManifestInvariants.violations(manifests)).as("violations with %s", name).isEmpty();
	}

	@ParameterizedTest(name = "{0}")
	@MethodSource("valuesFiles")
	void everyServiceIsDeployedWithItsServiceAndPort(String name, Path valuesFile) {
		List<Manifest> manifests = HelmChart.render(valuesFile);

		for (Map.Entry<String, Integer> component : ServicePorts.BY_COMPONENT.entrySet()) {
			List<Manifest> deployments = ManifestInvariants.component(manifests, component.getKey());
			assertThat(deployments).as("%s deployment", component.getKey()).hasSize(1);
			Map<String, Object> container = ManifestInvariants.containers(ManifestInvariants.podSpec(deployments.get(0))).get(0);
			assertThat(Manifest.at(container, "ports")).asList()
					.filteredOn(port -> "http".equals(Manifest.at(port, "name")))
					.extracting(port -> Manifest.at(port, "containerPort"))
					.as("%s container port = server.port of its application.yaml", component.getKey())
					.containsExactly(component.getValue());
			assertThat(ManifestInvariants.ofKind(manifests, "Service"))
					.as("a Service for %s", component.getKey())
					.anyMatch(service -> service.name().endsWith("-" + component.getKey()));
		}
	}

	@Test
	void defaultViewsConfigMapHoldsTheContractViews() {
		Manifest configMap = HelmChart.render((Path) null).stream()
				.filter(m -> m.kind().equals("ConfigMap") && m.map("data").containsKey(ManifestInvariants.VIEWS_FILE))
				.findFirst().orElseThrow();

		assertThat(ManifestInvariants.views(configMap)).isEqualTo(ViewCatalog.defaults());
	}

	@Test
	void invalidViewsInValuesAreCaughtByTheCoreValidator() {
		// both entries pass values.schema.json; only lambda-core knows names must be unique
		List<Manifest> manifests = HelmChart.render(Map.of(
				"views[0].name", "pageviews", "views[0].eventType", "pageview", "views[0].measure", "count",
				"views[0].granularities[0]", "hour",
				"views[1].name", "pageviews", "views[1].eventType", "pageview", "views[1].measure", "count",
				"views[1].granularities[0]", "day"));

		assertThat(ManifestInvariants.viewsConfigMounted(manifests))
				.anyMatch(problem -> problem.contains("does not load") && problem.contains("duplicate view name"));
	}

	@Test
	void schemaInitJobAndItsCqlRenderAsHooksBeforeInstallAndUpgrade() {
		List<Manifest> manifests = HelmChart.render((Path) null);
		Manifest job = ManifestInvariants.ofKind(manifests, "Job").get(0);
		Manifest cql = manifests.stream().filter(m -> m.kind().equals("ConfigMap") && m.map("data").containsKey("keyspace.cql"))
				.findFirst().orElseThrow();

		assertThat(cql.map("data")).containsKeys("V1__tables.cql", "V2__speed.cql", "V3__batch.cql");
		assertThat(cql.string("data", "keyspace.cql"))
				.contains("CREATE KEYSPACE IF NOT EXISTS lambda", "'replication_factor': 1");
		Map<String, Object> cqlsh = ManifestInvariants.containers(ManifestInvariants.podSpec(job)).get(0);
		assertThat(cqlsh.get("image")).isEqualTo("cassandra:5.0");
		assertThat(String.valueOf(cqlsh.get("args"))).contains("-f /cql/keyspace.cql", "for file in /cql/V*.cql");
		assertThat(ManifestInvariants.podSpec(job).get("restartPolicy")).isEqualTo("Never");
		// the embedded Helm renders no hooks: check the annotations on the templates themselves
		for (String template : List.of("templates/schema/job.yaml", "templates/schema/configmap.yaml")) {
			assertThat(Repository.read(Repository.CHART.resolve(template)))
					.contains("helm.sh/hook: pre-install,pre-upgrade", "helm.sh/hook-delete-policy: before-hook-creation");
		}
	}

	@Test
	void productionValuesReplicateTheKeyspaceAcrossDatacentersAndUseExistingSecrets() {
		List<Manifest> manifests = HelmChart.render(Repository.CHART.resolve("ci/production-values.yaml"));
		Manifest cql = manifests.stream().filter(m -> m.kind().equals("ConfigMap") && m.map("data").containsKey("keyspace.cql"))
				.findFirst().orElseThrow();

		assertThat(cql.string("data", "keyspace.cql")).contains("'class': 'NetworkTopologyStrategy', 'dc1': 3");
		Map<String, Object> query = ManifestInvariants.containers(
				ManifestInvariants.podSpec(ManifestInvariants.component(manifests, "query").get(0))).get(0);
		assertThat(Manifest.at(query, "env")).asList()
				.filteredOn(variable -> "SPRING_CASSANDRA_PASSWORD".equals(Manifest.at(variable, "name")))
				.extracting(variable -> Manifest.at(variable, "valueFrom", "secretKeyRef", "name"))
				.containsExactly("lambda-cassandra");
		assertThat(ManifestInvariants.ofKind(manifests, "HorizontalPodAutoscaler")).extracting(Manifest::name)
				.containsExactlyInAnyOrder("lambda-ingest", "lambda-query");
		assertThat(ManifestInvariants.component(manifests, "ingest").get(0).get("spec", "replicas"))
				.as("the HPA owns the replica count").isNull();
	}

	@Test
	void monitoringIsOffByDefaultAndRendersOperatorResourcesWhenAskedFor() {
		List<String> defaultKinds = HelmChart.render((Path) null).stream().map(Manifest::kind).toList();
		List<Manifest> monitored = Manifest.parseAll(HelmChart.template(
				Repository.CHART.resolve("ci/with-monitoring-values.yaml"), Map.of("metrics.dashboards.viewsDashboard", true)));

		assertThat(defaultKinds).doesNotContain("ServiceMonitor", "PrometheusRule");
		assertThat(ManifestInvariants.ofKind(monitored, "ServiceMonitor")).hasSize(4);
		Manifest rule = ManifestInvariants.ofKind(monitored, "PrometheusRule").get(0);
		assertThat(rule.list("spec", "groups")).isNotEmpty();
		assertThat(monitored).filteredOn(m -> m.kind().equals("ConfigMap")
				&& "1".equals(m.string("metadata", "labels", "grafana_dashboard")))
				.flatMap(dashboard -> dashboard.map("data").keySet())
				.containsExactlyInAnyOrder("lambda-overview.json", "lambda-ingest.json", "lambda-speed.json",
						"lambda-batch.json", "lambda-query.json", "lambda-views.json");
		List<Manifest> withoutViews = HelmChart.render(Repository.CHART.resolve("ci/with-monitoring-values.yaml"));
		assertThat(withoutViews).filteredOn(m -> m.kind().equals("ConfigMap")
				&& "1".equals(m.string("metadata", "labels", "grafana_dashboard")))
				.flatMap(dashboard -> dashboard.map("data").keySet())
				.hasSize(5).doesNotContain("lambda-views.json");
	}

	@Test
	void speedReplicasBeyondThePartitionCountAreRefused() {
		assertThatThrownBy(() -> HelmChart.template(null, Map.of("speed.replicaCount", 7, "kafka.topic.partitions", 6)))
				.hasMessageContaining("speed.replicaCount (7) must not exceed kafka.topic.partitions (6)");
	}

	@Test
	void schemaRefusesASecondBatchReplicaAndUnknownValues() {
		assertThatThrownBy(() -> HelmChart.template(null, Map.of("batch.replicaCount", 2)))
				.hasMessageContaining("replicaCount");
		assertThatThrownBy(() -> HelmChart.template(null, Map.of("ingest.replicas", 2)))
				.hasMessageContaining("replicas");
		assertThatThrownBy(() -> HelmChart.template(null, Map.of("containerSecurityContext.allowPrivilegeEscalation", true)))
				.hasMessageContaining("allowPrivilegeEscalation");
	}
}
