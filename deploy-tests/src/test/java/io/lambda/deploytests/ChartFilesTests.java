package io.lambda.deploytests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The chart's own files agree with the rest of the repository: the values its templates use exist
 * and are documented, the CQL it applies is lambda-store's, and its dashboards and alert rules use
 * metrics the services register.
 */
class ChartFilesTests {

	private static final Pattern VALUE_REFERENCE = Pattern.compile("\\.Values((?:\\.[A-Za-z_][A-Za-z0-9_]*)+)");

	/** Helm's built-in top-level value, and the components the templates reach through index. */
	private static final Set<String> NOT_IN_VALUES = Set.of("global");

	@Test
	void everyValueTheTemplatesReferenceExistsInValuesYaml() throws IOException {
		Map<String, Object> values = values();
		List<String> missing = new ArrayList<>();
		try (Stream<Path> templates = Files.walk(Repository.CHART.resolve("templates"))) {
			for (Path template : templates.filter(Files::isRegularFile).toList()) {
				Matcher reference = VALUE_REFERENCE.matcher(Repository.read(template));
				while (reference.find()) {
					String[] path = reference.group(1).substring(1).split("\\.");
					if (!NOT_IN_VALUES.contains(path[0]) && !exists(values, path)) {
						missing.add(template.getFileName() + ": .Values" + reference.group(1));
					}
				}
			}
		}
		// component settings read through (index $values .component): every component has each of them
		for (String component : ServicePorts.COMPONENTS) {
			for (String key : List.of("enabled", "replicaCount", "imageRepository", "port", "service", "resources",
					"podDisruptionBudget", "networkPolicy", "extraEnv", "podAnnotations", "nodeSelector", "tolerations",
					"affinity", "topologySpreadConstraints")) {
				if (!exists(values, component, key)) {
					missing.add("values.yaml: " + component + "." + key);
				}
			}
		}

		assertThat(missing).isEmpty();
	}

	@Test
	void chartReadmeDocumentsEveryValue() {
		String readme = Repository.read(Repository.CHART.resolve("README.md"));
		List<String> undocumented = new ArrayList<>();
		for (String key : leafKeys("", values())) {
			if (!readme.contains("`" + key + "`")) {
				undocumented.add(key);
			}
		}

		assertThat(undocumented).as("values missing from helm/lambda/README.md").isEmpty();
	}

	@Test
	void chartAppliesExactlyLambdaStoresCql() throws IOException {
		Path store = Repository.path("lambda-store/src/main/resources/cql");
		Set<String> storeFiles = fileNames(store);
		Set<String> chartFiles = fileNames(Repository.CHART.resolve("files/cql"));

		assertThat(chartFiles).isEqualTo(storeFiles);
		for (String file : storeFiles) {
			assertThat(Repository.read(Repository.CHART.resolve("files/cql/" + file)))
					.as("helm/lambda/files/cql/%s is a copy of lambda-store's: copy it again", file)
					.isEqualTo(Repository.read(store.resolve(file)));
		}
	}

	@Test
	void dashboardsAndRulesUseMetricsTheServicesRegister() throws IOException {
		Set<String> registered = registeredMeterNames();
		Set<String> used = new TreeSet<>();
		List<Path> files = new ArrayList<>();
		try (Stream<Path> dashboards = Files.list(Repository.CHART.resolve("files/dashboards"));
				Stream<Path> rules = Files.list(Repository.CHART.resolve("files/rules"))) {
			files.addAll(dashboards.toList());
			files.addAll(rules.toList());
		}
		Pattern metric = Pattern.compile("\\b(lambda_[a-z0-9_]+)");
		for (Path file : files) {
			Matcher matcher = metric.matcher(Repository.read(file));
			while (matcher.find()) {
				used.add(matcher.group(1));
			}
		}

		assertThat(used).isNotEmpty();
		assertThat(used).allSatisfy(name -> assertThat(registered).as("a meter for %s", name)
				.contains(meterName(name)));
	}

	@Test
	void rulesFileIsAPlainPrometheusRuleFileWithAlerts() {
		Object rules = new Yaml(new SafeConstructor(new LoaderOptions()))
				.load(Repository.read(Repository.CHART.resolve("files/rules/lambda.yaml")));
		List<Object> groups = Manifest.asList(Manifest.at(rules, "groups"));

		assertThat(groups).isNotEmpty().allSatisfy(group -> {
			assertThat(Manifest.at(group, "name")).isNotNull();
			assertThat(Manifest.asList(Manifest.at(group, "rules"))).isNotEmpty().allSatisfy(rule -> {
				assertThat(Manifest.at(rule, "alert")).isNotNull();
				assertThat(Manifest.at(rule, "expr")).isNotNull();
				assertThat(Manifest.at(rule, "labels", "severity")).isIn("warning", "critical");
			});
		});
	}

	/** lambda_ingest_kafka_send_seconds_bucket → lambda.ingest.kafka.send, lambda_batch_drift_max → lambda.batch.drift (Micrometer's Prometheus naming). */
	private static String meterName(String prometheusName) {
		return prometheusName.replaceFirst("_(total|count|sum|max|bucket)$", "").replaceFirst("_(seconds|bytes)$", "")
				.replace('_', '.');
	}

	/** Meter names ("lambda.<layer>.<thing>") written in the services' main code. */
	private static Set<String> registeredMeterNames() throws IOException {
		Set<String> names = new TreeSet<>();
		Pattern literal = Pattern.compile("\"(lambda\\.[a-z0-9.]+)\"");
		for (String component : ServicePorts.COMPONENTS) {
			try (Stream<Path> sources = Files.walk(Repository.path(ServicePorts.module(component) + "/src/main/java"))) {
				for (Path source : sources.filter(path -> path.toString().endsWith(".java")).toList()) {
					literal.matcher(Repository.read(source)).results().forEach(match -> names.add(match.group(1)));
				}
			}
		}
		return names;
	}

	private static Map<String, Object> values() {
		return Manifest.asMap(new Yaml(new SafeConstructor(new LoaderOptions()))
				.load(Repository.read(Repository.CHART.resolve("values.yaml"))));
	}

	private static boolean exists(Map<String, Object> values, String... path) {
		Object current = values;
		for (String key : path) {
			if (!(current instanceof Map<?, ?> map) || !map.containsKey(key)) {
				return false;
			}
			current = map.get(key);
		}
		return true;
	}

	/** Dotted keys of values.yaml down to scalars, lists and empty maps (what a user sets). */
	private static List<String> leafKeys(String prefix, Map<String, Object> values) {
		List<String> keys = new ArrayList<>();
		values.forEach((key, value) -> {
			String dotted = prefix.isEmpty() ? key : prefix + "." + key;
			if (value instanceof Map<?, ?> map && !map.isEmpty() && !dotted.endsWith("resources")
					&& !dotted.endsWith("labels") && !dotted.endsWith("matchLabels")) {
				keys.addAll(leafKeys(dotted, Manifest.asMap(value)));
			}
			else {
				keys.add(dotted);
			}
		});
		return keys;
	}

	private static Set<String> fileNames(Path folder) throws IOException {
		try (Stream<Path> files = Files.list(folder)) {
			return new TreeSet<>(files.map(file -> file.getFileName().toString()).toList());
		}
	}
}
