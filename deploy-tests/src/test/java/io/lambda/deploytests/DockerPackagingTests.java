package io.lambda.deploytests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * docker/Dockerfile and docker/compose.yaml cannot be built or run here (no Docker engine): these
 * tests hold them to the repository instead. The module names and jar paths the Dockerfile states
 * exist; the image is a layered, non-root JRE 21+ image without a profile; compose runs the same
 * modules on the same ports with the same environment as the Helm chart.
 */
class DockerPackagingTests {

	private static final String DOCKERFILE = Repository.read(Repository.DOCKER.resolve("Dockerfile"));

	@SuppressWarnings("unchecked")
	private static final Map<String, Object> COMPOSE = (Map<String, Object>) new Yaml(
			new SafeConstructor(new LoaderOptions())).load(Repository.read(Repository.DOCKER.resolve("compose.yaml")));

	@Test
	void dockerfileBuildsTheJarItsModuleArgumentNamesWithTheWrapper() {
		assertThat(DOCKERFILE).containsPattern("(?m)^ARG MODULE");
		assertThat(DOCKERFILE).contains("./mvnw -B -q -pl \"${MODULE}\" -am package",
				"\"${MODULE}/target/${MODULE}.jar\"");
		Matcher defaultModule = Pattern.compile("(?m)^ARG MODULE=(\\S+)").matcher(DOCKERFILE);
		assertThat(defaultModule.find()).isTrue();
		assertModuleBuildsItsJar(defaultModule.group(1));
	}

	@Test
	void everyModuleTheImagesAreBuiltForIsAServiceModuleWithAnUnversionedJar() {
		for (String component : ServicePorts.COMPONENTS) {
			assertModuleBuildsItsJar(ServicePorts.module(component));
		}
		assertThat(lambdaServices().keySet()).containsExactlyInAnyOrderElementsOf(
				ServicePorts.COMPONENTS.stream().map(ServicePorts::module).toList());
	}

	@ParameterizedTest
	@ValueSource(strings = { "ingest-service", "speed-service", "batch-service", "query-service" })
	void builtJarCarriesTheLayersAndTheToolsTheDockerfileExtractsWith(String module) throws IOException {
		Path jar = Repository.path(module + "/target/" + module + ".jar");
		assumeTrue(Files.isRegularFile(jar), "run ./mvnw package first: " + jar + " is not built, so only the pom was checked");
		try (JarFile file = new JarFile(jar.toFile())) {
			assertThat(file.getEntry("BOOT-INF/layers.idx")).as("layers index of %s", jar).isNotNull();
			assertThat(file.stream().map(entry -> entry.getName()))
					.as("spring-boot-jarmode-tools in %s (needed by -Djarmode=tools)", jar)
					.anyMatch(name -> name.matches("BOOT-INF/lib/spring-boot-jarmode-tools-.*\\.jar"));
			assertThat(file.getManifest().getMainAttributes().getValue("Main-Class"))
					.isEqualTo("org.springframework.boot.loader.launch.JarLauncher");
		}
	}

	@Test
	void imageIsALayeredNonRootJre21WithoutAProfile() {
		List<String> stages = Pattern.compile("(?m)^FROM\\s+(\\S+)").matcher(DOCKERFILE).results()
				.map(match -> match.group(1)).toList();
		assertThat(stages).hasSize(2);
		Matcher runtime = Pattern.compile("eclipse-temurin:(\\d+)-jre").matcher(stages.get(1));
		assertThat(runtime.find()).as("the runtime stage is a JRE: %s", stages.get(1)).isTrue();
		assertThat(Integer.parseInt(runtime.group(1))).isGreaterThanOrEqualTo(21);
		assertThat(DOCKERFILE).contains("-Djarmode=tools", "extract --layers --launcher");
		for (String layer : List.of("dependencies", "spring-boot-loader", "snapshot-dependencies", "application")) {
			assertThat(DOCKERFILE).contains("COPY --from=build /workspace/extracted/" + layer + "/ ./");
		}
		Matcher user = Pattern.compile("(?m)^USER\\s+(\\d+)").matcher(DOCKERFILE);
		assertThat(user.find()).isTrue();
		assertThat(Integer.parseInt(user.group(1))).isPositive()
				.as("the chart's runAsUser").isEqualTo(10001);
		assertThat(DOCKERFILE).doesNotContainIgnoringCase("SPRING_PROFILES_ACTIVE").doesNotContain("-Xmx")
				.contains("JAVA_TOOL_OPTIONS=\"-XX:MaxRAMPercentage=").contains("SPRING_THREADS_VIRTUAL_ENABLED=true")
				.containsPattern("(?m)^HEALTHCHECK .*CMD \\[\"healthcheck\"\\]")
				.contains("ENTRYPOINT [\"java\", \"org.springframework.boot.loader.launch.JarLauncher\"]");
	}

	@Test
	void healthcheckKnowsEachModulesServerPort() {
		String script = Repository.read(Repository.DOCKER.resolve("healthcheck.sh"));
		Map<String, Integer> stated = new TreeMap<>();
		Pattern.compile("(?m)^\\s*([a-z]+-service)\\)\\s*default_port=(\\d+)").matcher(script).results()
				.forEach(match -> stated.put(match.group(1), Integer.valueOf(match.group(2))));
		Map<String, Integer> expected = new TreeMap<>();
		ServicePorts.BY_COMPONENT.forEach((component, port) -> expected.put(ServicePorts.module(component), port));

		assertThat(stated).isEqualTo(expected);
		assertThat(script).contains("/actuator/health/readiness");
	}

	/**
	 * The chart's speed-layer variables that compose cannot share as they are: pod names from the
	 * downward API, the state volume, the internal key from a Secret the chart makes. The engine and
	 * its standby count are here too: compose runs the services' default engine (lambda-shared.yaml)
	 * until docker/compose.yaml moves to engine streams with a state volume and an advertised host.
	 */
	private static final Set<String> SPEED_LAYER_KUBERNETES_ONLY = Set.of("POD_NAME", "POD_NAMESPACE",
			"LAMBDA_SPEED_ENGINE", "LAMBDA_SPEED_STATE_DIR", "LAMBDA_SPEED_STREAMS_ADVERTISED_HOST",
			"LAMBDA_SPEED_STREAMS_STANDBY_REPLICAS", "LAMBDA_SECURITY_API_KEYS_0_ID", "LAMBDA_SECURITY_API_KEYS_0_SHA256",
			"LAMBDA_SECURITY_API_KEYS_0_SCOPES", "LAMBDA_QUERY_SPEED_URL", "LAMBDA_QUERY_SPEED_API_KEY");

	@Test
	void composeRunsEachServiceOnItsPortWithTheChartsEnvironment() {
		// compose always mounts its keys file, as the chart does once a keys Secret is named
		List<Manifest> chart = HelmChart.render(Map.of("security.apiKeys.existingSecret", "lambda-api-keys"));
		for (String component : ServicePorts.COMPONENTS) {
			String module = ServicePorts.module(component);
			Map<String, Object> service = lambdaServices().get(module);
			int port = ServicePorts.BY_COMPONENT.get(component);

			assertThat(Manifest.at(service, "build", "args", "MODULE")).as(module).isEqualTo(module);
			assertThat(Manifest.at(service, "build", "dockerfile")).isEqualTo("docker/Dockerfile");
			assertThat(Manifest.at(service, "ports")).asList().as(module).containsExactly(port + ":" + port);

			Map<String, Object> container = ManifestInvariants.containers(
					ManifestInvariants.podSpec(ManifestInvariants.component(chart, component).get(0))).get(0);
			Map<String, String> chartEnv = new TreeMap<>(ManifestInvariants.env(container));
			chartEnv.keySet().removeAll(SPEED_LAYER_KUBERNETES_ONLY);
			Map<String, String> composeEnv = new TreeMap<>();
			Manifest.asMap(service.get("environment")).forEach((name, value) -> composeEnv.put(name, String.valueOf(value)));
			assertThat(composeEnv).as("compose environment of %s = the chart's (default values)", module)
					.isEqualTo(chartEnv);
		}
	}

	@Test
	void composeWaitsOnHealthAndLimitsEveryContainer() {
		Map<String, Object> services = Manifest.asMap(COMPOSE.get("services"));
		assertThat(services).containsKeys("kafka", "cassandra", "prometheus", "grafana");
		services.forEach((name, definition) -> {
			assertThat(Manifest.at(definition, "healthcheck", "test")).as("healthcheck of %s", name).isNotNull();
			assertThat(Manifest.at(definition, "deploy", "resources", "limits", "memory")).as("memory limit of %s", name)
					.isNotNull();
			assertThat(Manifest.at(definition, "deploy", "resources", "limits", "cpus")).as("cpu limit of %s", name)
					.isNotNull();
			Object dependsOn = Manifest.at(definition, "depends_on");
			if (dependsOn != null) {
				Manifest.asMap(dependsOn).forEach((dependency, condition) -> {
					assertThat(services).as("%s depends on %s", name, dependency).containsKey(dependency);
					assertThat(Manifest.at(condition, "condition")).as("%s waits for %s", name, dependency)
							.isEqualTo("service_healthy");
				});
			}
		});
		assertThat(Manifest.at(services.get("kafka"), "environment", "KAFKA_PROCESS_ROLES")).isEqualTo("broker,controller");
		lambdaServices().forEach((name, service) -> {
			assertThat(service.get("user")).as(name).isEqualTo("10001:10001");
			assertThat(service.get("read_only")).as(name).isEqualTo(true);
		});
	}

	@Test
	void composeMountsFilesThatExistAndScrapesEveryService() {
		Map<String, Object> services = Manifest.asMap(COMPOSE.get("services"));
		services.forEach((name, definition) -> {
			for (Object volume : Manifest.asList(Manifest.at(definition, "volumes") == null ? List.of()
					: Manifest.at(definition, "volumes"))) {
				String source = volume.toString().split(":")[0];
				if (source.startsWith(".")) {
					assertThat(Repository.DOCKER.resolve(source).normalize()).as("%s mounts %s", name, source).exists();
				}
			}
		});
		String prometheus = Repository.read(Repository.DOCKER.resolve("prometheus/prometheus.yml"));
		for (String module : lambdaServices().keySet()) {
			// the actuator's port: /actuator/prometheus needs no key there
			Object managementPort = Manifest.at(lambdaServices().get(module), "environment", "MANAGEMENT_SERVER_PORT");
			assertThat(managementPort).as(module).isNotNull();
			assertThat(prometheus).contains("- " + module + ":" + managementPort);
		}
		assertThat(prometheus).contains("metrics_path: /actuator/prometheus");
	}

	/** The compose services built from docker/Dockerfile, by name. */
	private static Map<String, Map<String, Object>> lambdaServices() {
		Map<String, Map<String, Object>> built = new LinkedHashMap<>();
		Manifest.asMap(COMPOSE.get("services")).forEach((name, definition) -> {
			if (Manifest.at(definition, "build") != null) {
				built.put(name, Manifest.asMap(definition));
			}
		});
		return built;
	}

	/**
	 * The module is in the parent pom, lives in the folder of its name, and its artifactId and
	 * finalName make the jar target/<module>.jar that the Dockerfile copies.
	 */
	private static void assertModuleBuildsItsJar(String module) {
		String parent = Repository.read(Repository.path("pom.xml"));
		assertThat(parent).as("parent pom lists %s", module).contains("<module>" + module + "</module>");
		Path pom = Repository.path(module + "/pom.xml");
		assertThat(pom).exists();
		String text = Repository.read(pom);
		String withoutParent = text.replaceFirst("(?s)<parent>.*?</parent>", "");
		Matcher artifactId = Pattern.compile("<artifactId>([^<]+)</artifactId>").matcher(withoutParent);
		assertThat(artifactId.find()).isTrue();
		assertThat(artifactId.group(1)).as("artifactId of %s", pom).isEqualTo(module);
		assertThat(text).as("finalName of %s", pom).contains("<finalName>${project.artifactId}</finalName>")
				.contains("<artifactId>spring-boot-maven-plugin</artifactId>");
	}
}
