package io.lambda.deploytests;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

import io.lambda.core.view.ViewCatalog;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * What must hold for any rendering we ship (Helm chart with any values file, kustomize overlays),
 * checked on the parsed manifests. Each check returns its violations, one readable line each, so a
 * test can assert there are none and a mutation test can assert a broken manifest is caught.
 */
final class ManifestInvariants {

	static final String LIVENESS = "/actuator/health/liveness";

	static final String READINESS = "/actuator/health/readiness";

	static final String VIEWS_FILE = "views.yaml";

	/** The keys of the Secret shared by query-service (the plain key) and speed-service (its hash). */
	static final String INTERNAL_KEY = "api-key";

	static final String INTERNAL_KEY_SHA256 = "api-key-sha256";

	/** The scope speed-service's interactive queries ask of a key. */
	static final String INTERNAL_SCOPE = "internal";

	private ManifestInvariants() {
	}

	/** Every check below, together. */
	static List<String> violations(List<Manifest> manifests) {
		List<String> all = new ArrayList<>();
		all.addAll(restrictedSecurity(manifests));
		all.addAll(resources(manifests));
		all.addAll(probes(manifests));
		all.addAll(selectorsMatchLabels(manifests));
		all.addAll(servicesTargetContainerPorts(manifests));
		all.addAll(referencesResolve(manifests));
		all.addAll(viewsConfigMounted(manifests));
		all.addAll(sharedSettingsAgree(manifests));
		all.addAll(batchHasOneScheduler(manifests));
		all.addAll(onlyTheInternalKeySecretRendered(manifests));
		all.addAll(speedKeepsStateAndIsReachablePerPod(manifests));
		all.addAll(queryReadsSpeedWithTheInternalKey(manifests));
		all.addAll(speedAdmitsQueryAndItsPeers(manifests));
		return all;
	}

	/** The restricted Pod Security Standard: non-root, no escalation, drop ALL, seccomp, read-only root. */
	static List<String> restrictedSecurity(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest workload : workloads(manifests)) {
			Map<String, Object> pod = Manifest.asMap(workload.podTemplate().getOrDefault("spec", Map.of()));
			Object podContext = pod.get("securityContext");
			Object podNonRoot = Manifest.at(podContext, "runAsNonRoot");
			Object podSeccomp = Manifest.at(podContext, "seccompProfile", "type");
			if (Boolean.TRUE.equals(pod.get("hostNetwork")) || Boolean.TRUE.equals(pod.get("hostPID"))) {
				problems.add(workload.id() + ": uses the host's network or pid namespace");
			}
			if (isUserRoot(Manifest.at(podContext, "runAsUser"))) {
				problems.add(workload.id() + ": pod runs as user 0");
			}
			for (Map<String, Object> container : containers(pod)) {
				String where = workload.id() + " container " + container.get("name");
				Object context = container.get("securityContext");
				if (!Boolean.TRUE.equals(firstSet(Manifest.at(context, "runAsNonRoot"), podNonRoot))) {
					problems.add(where + ": runAsNonRoot is not true");
				}
				if (isUserRoot(Manifest.at(context, "runAsUser"))) {
					problems.add(where + ": runs as user 0");
				}
				if (!Boolean.FALSE.equals(Manifest.at(context, "allowPrivilegeEscalation"))) {
					problems.add(where + ": allowPrivilegeEscalation is not false");
				}
				if (Boolean.TRUE.equals(Manifest.at(context, "privileged"))) {
					problems.add(where + ": is privileged");
				}
				Object drop = Manifest.at(context, "capabilities", "drop");
				if (!(drop instanceof List<?> dropped && dropped.contains("ALL"))) {
					problems.add(where + ": does not drop ALL capabilities");
				}
				if (Manifest.at(context, "capabilities", "add") instanceof List<?> added && !added.isEmpty()) {
					problems.add(where + ": adds capabilities " + added);
				}
				if (!Boolean.TRUE.equals(Manifest.at(context, "readOnlyRootFilesystem"))) {
					problems.add(where + ": root filesystem is not read-only");
				}
				Object seccomp = firstSet(Manifest.at(context, "seccompProfile", "type"), podSeccomp);
				if (!"RuntimeDefault".equals(seccomp) && !"Localhost".equals(seccomp)) {
					problems.add(where + ": seccomp profile is not RuntimeDefault");
				}
			}
		}
		return problems;
	}

	/** Every container asks for CPU and memory and is limited in both. */
	static List<String> resources(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest workload : workloads(manifests)) {
			for (Map<String, Object> container : containers(podSpec(workload))) {
				String where = workload.id() + " container " + container.get("name");
				for (String kind : List.of("requests", "limits")) {
					for (String resource : List.of("cpu", "memory")) {
						if (Manifest.at(container, "resources", kind, resource) == null) {
							problems.add(where + ": no " + kind + "." + resource);
						}
					}
				}
			}
		}
		return problems;
	}

	/** Long-running containers are probed on Spring Boot's liveness and readiness groups, on a declared port. */
	static List<String> probes(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest workload : workloads(manifests)) {
			if (workload.kind().equals("Job") || workload.kind().equals("CronJob")) {
				continue;
			}
			for (Map<String, Object> container : containers(podSpec(workload))) {
				String where = workload.id() + " container " + container.get("name");
				Set<Object> ports = containerPorts(container);
				for (Map.Entry<String, String> probe : Map.of("livenessProbe", LIVENESS, "readinessProbe", READINESS)
						.entrySet()) {
					Object path = Manifest.at(container, probe.getKey(), "httpGet", "path");
					if (!probe.getValue().equals(path)) {
						problems.add(where + ": " + probe.getKey() + " is not an HTTP GET of " + probe.getValue()
								+ " (was " + path + ")");
						continue;
					}
					Object port = Manifest.at(container, probe.getKey(), "httpGet", "port");
					if (!ports.contains(port)) {
						problems.add(where + ": " + probe.getKey() + " port " + port + " is not a container port " + ports);
					}
				}
			}
		}
		return problems;
	}

	/**
	 * Workload selectors select their own pod template; Services, PodDisruptionBudgets and
	 * NetworkPolicies select at least one workload's pods; ServiceMonitors select a Service; HPAs
	 * scale a Deployment that exists.
	 */
	static List<String> selectorsMatchLabels(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		List<Map<String, Object>> podLabels = new ArrayList<>();
		for (Manifest workload : workloads(manifests)) {
			Map<String, Object> labels = Manifest.asMap(
					Objects.requireNonNullElse(Manifest.at(workload.podTemplate(), "metadata", "labels"), Map.of()));
			podLabels.add(labels);
			if (workload.kind().equals("Job") || workload.kind().equals("CronJob")) {
				continue;
			}
			Map<String, Object> selector = workload.map("spec", "selector", "matchLabels");
			if (selector.isEmpty()) {
				problems.add(workload.id() + ": no spec.selector.matchLabels");
			}
			else if (!matches(selector, labels)) {
				problems.add(workload.id() + ": selector " + selector + " does not match its pod labels " + labels);
			}
		}
		for (Manifest manifest : manifests) {
			Map<String, Object> selector = switch (manifest.kind()) {
				case "Service" -> manifest.map("spec", "selector");
				case "PodDisruptionBudget" -> manifest.map("spec", "selector", "matchLabels");
				case "NetworkPolicy" -> manifest.map("spec", "podSelector", "matchLabels");
				default -> null;
			};
			if (selector == null) {
				continue;
			}
			if (selector.isEmpty()) {
				problems.add(manifest.id() + ": selects every pod of the namespace");
			}
			else if (podLabels.stream().noneMatch(labels -> matches(selector, labels))) {
				problems.add(manifest.id() + ": selector " + selector + " matches no pod template");
			}
		}
		for (Manifest monitor : ofKind(manifests, "ServiceMonitor")) {
			Map<String, Object> selector = monitor.map("spec", "selector", "matchLabels");
			boolean selects = ofKind(manifests, "Service").stream()
					.anyMatch(service -> !selector.isEmpty() && matches(selector, service.map("metadata", "labels")));
			if (!selects) {
				problems.add(monitor.id() + ": selector " + selector + " matches no Service");
			}
			for (Object endpoint : monitor.list("spec", "endpoints")) {
				Object port = Manifest.at(endpoint, "port");
				boolean named = ofKind(manifests, "Service").stream()
						.filter(service -> matches(selector, service.map("metadata", "labels")))
						.flatMap(service -> service.list("spec", "ports").stream())
						.anyMatch(servicePort -> Objects.equals(Manifest.at(servicePort, "name"), port));
				if (!named) {
					problems.add(monitor.id() + ": endpoint port " + port + " is not a port name of the selected Service");
				}
			}
		}
		for (Manifest autoscaler : ofKind(manifests, "HorizontalPodAutoscaler")) {
			String kind = autoscaler.string("spec", "scaleTargetRef", "kind");
			String name = autoscaler.string("spec", "scaleTargetRef", "name");
			if (manifests.stream().noneMatch(m -> m.kind().equals(kind) && m.name().equals(name))) {
				problems.add(autoscaler.id() + ": scales " + kind + "/" + name + ", which is not rendered");
			}
		}
		return problems;
	}

	/** A Service's targetPort (name or number) is a port of a container of the pods it selects. */
	static List<String> servicesTargetContainerPorts(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest service : ofKind(manifests, "Service")) {
			Map<String, Object> selector = service.map("spec", "selector");
			Set<Object> ports = new HashSet<>();
			for (Manifest workload : workloads(manifests)) {
				Object labels = Manifest.at(workload.podTemplate(), "metadata", "labels");
				if (labels != null && !selector.isEmpty() && matches(selector, Manifest.asMap(labels))) {
					containers(podSpec(workload)).forEach(container -> ports.addAll(containerPorts(container)));
				}
			}
			for (Object port : service.list("spec", "ports")) {
				Object target = Objects.requireNonNullElse(Manifest.at(port, "targetPort"), Manifest.at(port, "port"));
				if (!ports.contains(target)) {
					problems.add(service.id() + ": targetPort " + target + " is no container port of its pods " + ports);
				}
			}
		}
		return problems;
	}

	/**
	 * Everything a pod refers to is there: mounts name declared volumes, ConfigMap volumes and
	 * configMapKeyRefs name rendered ConfigMaps, PVC volumes name rendered claims, the ServiceAccount
	 * is rendered (or is the namespace's default).
	 */
	static List<String> referencesResolve(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		Set<String> configMaps = names(manifests, "ConfigMap");
		Set<String> claims = names(manifests, "PersistentVolumeClaim");
		Set<String> accounts = names(manifests, "ServiceAccount");
		for (Manifest workload : workloads(manifests)) {
			Map<String, Object> pod = podSpec(workload);
			Map<String, Object> volumes = new HashMap<>();
			for (Object claimTemplate : workload.list("spec", "volumeClaimTemplates")) {
				volumes.put((String) Manifest.at(claimTemplate, "metadata", "name"), claimTemplate);
			}
			for (Object volume : listOf(pod.get("volumes"))) {
				volumes.put((String) Manifest.at(volume, "name"), volume);
				Object configMap = Manifest.at(volume, "configMap", "name");
				if (configMap != null && !configMaps.contains(configMap)
						&& !Boolean.TRUE.equals(Manifest.at(volume, "configMap", "optional"))) {
					problems.add(workload.id() + ": volume " + Manifest.at(volume, "name") + " names ConfigMap "
							+ configMap + ", which is not rendered");
				}
				Object claim = Manifest.at(volume, "persistentVolumeClaim", "claimName");
				if (claim != null && !claims.contains(claim)) {
					problems.add(workload.id() + ": volume names claim " + claim + ", which is not rendered");
				}
			}
			Object account = pod.get("serviceAccountName");
			if (account != null && !account.equals("default") && !accounts.contains(account)) {
				problems.add(workload.id() + ": ServiceAccount " + account + " is not rendered");
			}
			for (Map<String, Object> container : containers(pod)) {
				for (Object mount : listOf(container.get("volumeMounts"))) {
					if (!volumes.containsKey(Manifest.at(mount, "name"))) {
						problems.add(workload.id() + " container " + container.get("name") + ": mounts volume "
								+ Manifest.at(mount, "name") + ", which the pod does not declare");
					}
				}
				for (Object source : listOf(container.get("envFrom"))) {
					Object configMap = Manifest.at(source, "configMapRef", "name");
					if (configMap != null && !configMaps.contains(configMap)) {
						problems.add(workload.id() + ": envFrom names ConfigMap " + configMap + ", which is not rendered");
					}
				}
				for (Object variable : listOf(container.get("env"))) {
					Object configMap = Manifest.at(variable, "valueFrom", "configMapKeyRef", "name");
					if (configMap != null && !configMaps.contains(configMap)) {
						problems.add(workload.id() + ": env " + Manifest.at(variable, "name") + " names ConfigMap "
								+ configMap + ", which is not rendered");
					}
				}
			}
		}
		return problems;
	}

	/**
	 * A container that loads an additional config file (SPRING_CONFIG_ADDITIONAL_LOCATION=file:...)
	 * mounts, at that file's folder, a ConfigMap that has that file; and the views in every such
	 * ConfigMap load with lambda-core's validator.
	 */
	static List<String> viewsConfigMounted(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest workload : workloads(manifests)) {
			Map<String, Object> pod = podSpec(workload);
			for (Map<String, Object> container : containers(pod)) {
				String location = resolvedEnv(manifests, container).get("SPRING_CONFIG_ADDITIONAL_LOCATION");
				if (location == null) {
					continue;
				}
				String where = workload.id() + " container " + container.get("name");
				String file = location.replaceFirst("^optional:", "").replaceFirst("^file:", "");
				if (location.startsWith("optional:")) {
					problems.add(where + ": the config location " + location + " is optional: a missing file would go unnoticed");
				}
				if (file.endsWith("/")) {
					problems.add(where + ": the config location " + location
							+ " is a folder: Spring only reads application.yaml from it");
					continue;
				}
				String folder = file.substring(0, file.lastIndexOf('/'));
				String key = file.substring(file.lastIndexOf('/') + 1);
				Object mount = listOf(container.get("volumeMounts")).stream()
						.filter(m -> folder.equals(Manifest.at(m, "mountPath")))
						.findFirst().orElse(null);
				if (mount == null) {
					problems.add(where + ": nothing is mounted at " + folder + " for " + location);
					continue;
				}
				Object volume = listOf(pod.get("volumes")).stream()
						.filter(v -> Objects.equals(Manifest.at(v, "name"), Manifest.at(mount, "name")))
						.findFirst().orElse(null);
				Object configMapName = Manifest.at(volume, "configMap", "name");
				Manifest configMap = ofKind(manifests, "ConfigMap").stream()
						.filter(m -> m.name().equals(configMapName)).findFirst().orElse(null);
				if (configMap == null || !configMap.map("data").containsKey(key)) {
					problems.add(where + ": " + folder + " holds no " + key + " (ConfigMap " + configMapName + ")");
				}
			}
		}
		for (Manifest configMap : ofKind(manifests, "ConfigMap")) {
			if (configMap.map("data").containsKey(VIEWS_FILE)) {
				try {
					views(configMap);
				}
				catch (RuntimeException e) {
					problems.add(configMap.id() + ": " + VIEWS_FILE + " does not load: " + e.getMessage());
				}
			}
		}
		return problems;
	}

	/** The views of a ConfigMap's views.yaml, validated by lambda-core exactly as the services do. */
	static ViewCatalog views(Manifest configMap) {
		Object document = new Yaml(new SafeConstructor(new LoaderOptions())).load(configMap.string("data", VIEWS_FILE));
		Object views = Manifest.at(document, "lambda", "views");
		if (!(views instanceof List<?> entries)) {
			throw new IllegalArgumentException("no list under lambda.views");
		}
		List<Map<String, ?>> maps = new ArrayList<>();
		entries.forEach(entry -> maps.add(Manifest.asMap(entry)));
		return ViewCatalog.fromMaps(maps);
	}

	/**
	 * Settings every service of a deployment must agree on are the same in every container that sets
	 * them (the topic under its two names, partitions, keyspace, deployment, epoch length, the speed
	 * engine that speed-service runs and query-service reads), and the
	 * speed service has no more replicas than the topic has partitions.
	 */
	static List<String> sharedSettingsAgree(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		Map<String, List<String>> groups = Map.of(
				"topic", List.of("LAMBDA_EVENTS_TOPIC", "LAMBDA_INGEST_TOPIC_NAME"),
				"partitions", List.of("LAMBDA_EVENTS_PARTITIONS", "LAMBDA_INGEST_TOPIC_PARTITIONS"),
				"keyspace", List.of("LAMBDA_STORE_KEYSPACE"),
				"deployment", List.of("LAMBDA_STORE_DEPLOYMENT"),
				"epoch length", List.of("LAMBDA_EVENTS_EPOCH_LENGTH"),
				"replication factor", List.of("LAMBDA_STORE_REPLICATION_FACTOR"),
				"speed engine", List.of("LAMBDA_SPEED_ENGINE"));
		Integer partitions = null;
		for (Map.Entry<String, List<String>> group : groups.entrySet()) {
			Map<String, String> seen = new HashMap<>();
			for (Manifest workload : workloads(manifests)) {
				for (Map<String, Object> container : containers(podSpec(workload))) {
					Map<String, String> env = resolvedEnv(manifests, container);
					group.getValue().stream().filter(env::containsKey)
							.forEach(name -> seen.put(workload.id() + " " + name, env.get(name)));
				}
			}
			if (new HashSet<>(seen.values()).size() > 1) {
				problems.add("the " + group.getKey() + " differs between services: " + seen);
			}
			if (group.getKey().equals("partitions") && !seen.isEmpty()) {
				partitions = Integer.valueOf(seen.values().iterator().next());
			}
		}
		for (Manifest speed : component(manifests, "speed")) {
			Object replicas = speed.get("spec", "replicas");
			if (partitions != null && replicas instanceof Integer count && count > partitions) {
				problems.add(speed.id() + ": " + count + " replicas for " + partitions + " partitions");
			}
		}
		return problems;
	}

	/** The batch service runs one scheduler: at most one replica, never two during a rollout. */
	static List<String> batchHasOneScheduler(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest batch : component(manifests, "batch")) {
			if (!(batch.get("spec", "replicas") instanceof Integer replicas) || replicas > 1) {
				problems.add(batch.id() + ": replicas must be 0 or 1, was " + batch.get("spec", "replicas"));
			}
			if (batch.kind().equals("Deployment") && !"Recreate".equals(batch.string("spec", "strategy", "type"))) {
				problems.add(batch.id() + ": a rolling update would run two schedulers at once; use Recreate");
			}
		}
		for (Manifest autoscaler : ofKind(manifests, "HorizontalPodAutoscaler")) {
			if (component(manifests, "batch").stream()
					.anyMatch(batch -> batch.name().equals(autoscaler.string("spec", "scaleTargetRef", "name")))) {
				problems.add(autoscaler.id() + ": scales the batch service");
			}
		}
		return problems;
	}

	/**
	 * Credentials come from existing Secrets (existingSecret). The one Secret we may render is the
	 * internal key between query and speed: a plain key and its SHA-256, which must agree.
	 */
	static List<String> onlyTheInternalKeySecretRendered(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest secret : ofKind(manifests, "Secret")) {
			Map<String, String> data = secretData(secret);
			if (!data.keySet().equals(Set.of(INTERNAL_KEY, INTERNAL_KEY_SHA256))) {
				problems.add(secret.id() + ": the manifests carry no Secret but the internal API key (" + INTERNAL_KEY + ", "
						+ INTERNAL_KEY_SHA256 + "), this one holds " + data.keySet());
			}
			else if (!sha256Hex(data.get(INTERNAL_KEY)).equals(data.get(INTERNAL_KEY_SHA256))) {
				problems.add(secret.id() + ": " + INTERNAL_KEY_SHA256 + " is not the SHA-256 of " + INTERNAL_KEY);
			}
			else if (data.get(INTERNAL_KEY).length() < 32) {
				problems.add(secret.id() + ": the internal API key is shorter than 32 characters");
			}
		}
		return problems;
	}

	/**
	 * Engine streams keeps state per pod and serves it over HTTP, so the speed workload is a
	 * StatefulSet (stable pod names for static membership) with Parallel pod management; its state
	 * directory is a writable volume of its own (a claim template, or an emptyDir restored from the
	 * changelogs); and it advertises {@code $(POD_NAME).<headless Service>.<namespace>.svc}, a name
	 * that exists for every pod because the StatefulSet's serviceName is a rendered headless Service
	 * selecting its pods.
	 */
	static List<String> speedKeepsStateAndIsReachablePerPod(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest speed : component(manifests, "speed")) {
			if (!speed.kind().equals("StatefulSet")) {
				problems.add(speed.id() + ": the speed service must be a StatefulSet (stable names, a volume per pod)");
				continue;
			}
			if (!"Parallel".equals(speed.string("spec", "podManagementPolicy"))) {
				problems.add(speed.id() + ": podManagementPolicy is not Parallel: pods would start one after the other");
			}
			String headless = speed.string("spec", "serviceName");
			Map<String, Object> podLabels = Manifest.asMap(
					Objects.requireNonNullElse(Manifest.at(speed.podTemplate(), "metadata", "labels"), Map.of()));
			boolean governed = ofKind(manifests, "Service").stream().anyMatch(service -> service.name().equals(headless)
					&& "None".equals(service.string("spec", "clusterIP"))
					&& !service.map("spec", "selector").isEmpty() && matches(service.map("spec", "selector"), podLabels));
			if (!governed) {
				problems.add(speed.id() + ": serviceName " + headless + " is no rendered headless Service selecting its pods");
			}
			Map<String, Object> pod = podSpec(speed);
			for (Map<String, Object> container : containers(pod)) {
				String where = speed.id() + " container " + container.get("name");
				Map<String, String> env = env(container);
				String stateDir = env.get("LAMBDA_SPEED_STATE_DIR");
				Object mount = listOf(container.get("volumeMounts")).stream()
						.filter(m -> stateDir != null && stateDir.equals(Manifest.at(m, "mountPath"))).findFirst().orElse(null);
				Object mountName = Manifest.at(mount, "name");
				boolean claimed = speed.list("spec", "volumeClaimTemplates").stream()
						.anyMatch(template -> Objects.equals(mountName, Manifest.at(template, "metadata", "name")));
				boolean empty = listOf(pod.get("volumes")).stream().anyMatch(volume ->
						Objects.equals(mountName, Manifest.at(volume, "name")) && Manifest.at(volume, "emptyDir") != null);
				if (mount == null || Boolean.TRUE.equals(Manifest.at(mount, "readOnly")) || !(claimed || empty)) {
					problems.add(where + ": LAMBDA_SPEED_STATE_DIR (" + stateDir
							+ ") is not a writable claim template or emptyDir mounted there");
				}
				String host = env.get("LAMBDA_SPEED_STREAMS_ADVERTISED_HOST");
				String expected = "$(POD_NAME)." + headless + ".";
				if (host == null || !host.startsWith(expected) || !host.endsWith(".svc")) {
					problems.add(where + ": LAMBDA_SPEED_STREAMS_ADVERTISED_HOST is " + host + ", not " + expected
							+ "<namespace>.svc");
				}
				List<String> order = listOf(container.get("env")).stream().map(v -> (String) Manifest.at(v, "name")).toList();
				for (Map.Entry<String, String> field : Map.of("POD_NAME", "metadata.name", "POD_NAMESPACE", "metadata.namespace")
						.entrySet()) {
					if (host == null || !host.contains("$(" + field.getKey() + ")")) {
						continue;
					}
					Object source = listOf(container.get("env")).stream()
							.filter(v -> field.getKey().equals(Manifest.at(v, "name")))
							.map(v -> Manifest.at(v, "valueFrom", "fieldRef", "fieldPath")).findFirst().orElse(null);
					// the kubelet expands $(VAR) only from variables defined before
					if (!field.getValue().equals(source)
							|| order.indexOf(field.getKey()) > order.indexOf("LAMBDA_SPEED_STREAMS_ADVERTISED_HOST")) {
						problems.add(where + ": " + field.getKey() + " is not " + field.getValue()
								+ " from the downward API, defined before the advertised host");
					}
				}
			}
		}
		return problems;
	}

	/**
	 * query-service reads speed cells from speed-service: LAMBDA_QUERY_SPEED_URL is
	 * {@code http://<speed Service>:<port>} of a rendered, load-balanced Service selecting the speed
	 * pods on their http port, and the key it sends (LAMBDA_QUERY_SPEED_API_KEY) is the plain key
	 * of the Secret whose SHA-256 speed-service accepts with scope internal. When the Secret is
	 * rendered, the hash is checked against the key.
	 */
	static List<String> queryReadsSpeedWithTheInternalKey(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		List<Manifest> speeds = component(manifests, "speed");
		if (speeds.isEmpty()) {
			return problems;
		}
		Map<String, Object> speedPodLabels = Manifest.asMap(
				Objects.requireNonNullElse(Manifest.at(speeds.get(0).podTemplate(), "metadata", "labels"), Map.of()));
		Map<String, Object> speedContainer = containers(podSpec(speeds.get(0))).get(0);
		List<String> acceptedHashes = new ArrayList<>();
		Map<String, String> speedEnv = env(speedContainer);
		for (String name : speedEnv.keySet()) {
			if (name.matches("LAMBDA_SECURITY_API_KEYS_\\d+_SCOPES")
					&& List.of(String.valueOf(speedEnv.get(name)).split(",")).contains(INTERNAL_SCOPE)) {
				String index = name.replaceAll("\\D+", "");
				String reference = secretReference(speedContainer, "LAMBDA_SECURITY_API_KEYS_" + index + "_SHA256");
				if (reference != null) {
					acceptedHashes.add(reference);
				}
			}
		}
		for (Manifest query : component(manifests, "query")) {
			for (Map<String, Object> container : containers(podSpec(query))) {
				String where = query.id() + " container " + container.get("name");
				String url = env(container).get("LAMBDA_QUERY_SPEED_URL");
				boolean served = url != null && ofKind(manifests, "Service").stream().anyMatch(service ->
						!"None".equals(service.string("spec", "clusterIP"))
								&& !service.map("spec", "selector").isEmpty()
								&& matches(service.map("spec", "selector"), speedPodLabels)
								&& service.list("spec", "ports").stream().anyMatch(port -> "http".equals(Manifest.at(port, "targetPort"))
										&& url.equals("http://" + service.name() + ":" + Manifest.at(port, "port"))));
				if (!served) {
					problems.add(where + ": LAMBDA_QUERY_SPEED_URL " + url
							+ " is not http://<a speed Service>:<its port to the pods' http port>");
				}
				String key = secretReference(container, "LAMBDA_QUERY_SPEED_API_KEY");
				if (key == null || !key.endsWith("/" + INTERNAL_KEY)) {
					problems.add(where + ": LAMBDA_QUERY_SPEED_API_KEY is not key " + INTERNAL_KEY + " of a Secret (" + key + ")");
					continue;
				}
				String secretName = key.substring(0, key.indexOf('/'));
				if (!acceptedHashes.contains(secretName + "/" + INTERNAL_KEY_SHA256)) {
					problems.add(where + ": speed-service accepts no key of scope " + INTERNAL_SCOPE + " with the SHA-256 "
							+ secretName + "/" + INTERNAL_KEY_SHA256 + " (it accepts " + acceptedHashes + ")");
				}
			}
		}
		return problems;
	}

	/**
	 * A NetworkPolicy on the speed pods lets query-service and the other speed pods reach their
	 * http port: interactive queries come from query-service and fan out between speed instances.
	 */
	static List<String> speedAdmitsQueryAndItsPeers(List<Manifest> manifests) {
		List<String> problems = new ArrayList<>();
		for (Manifest speed : component(manifests, "speed")) {
			Map<String, Object> speedLabels = Manifest.asMap(
					Objects.requireNonNullElse(Manifest.at(speed.podTemplate(), "metadata", "labels"), Map.of()));
			for (Manifest policy : ofKind(manifests, "NetworkPolicy")) {
				if (!matches(policy.map("spec", "podSelector", "matchLabels"), speedLabels)) {
					continue;
				}
				List<Manifest> callers = new ArrayList<>(component(manifests, "query"));
				callers.add(speed);
				for (Manifest caller : callers) {
					Map<String, Object> callerLabels = Manifest.asMap(
							Objects.requireNonNullElse(Manifest.at(caller.podTemplate(), "metadata", "labels"), Map.of()));
					if (!admits(policy, callerLabels, "http")) {
						problems.add(policy.id() + ": does not admit " + caller.id() + " to the speed pods' http port");
					}
				}
			}
		}
		return problems;
	}

	/**
	 * Whether an ingress rule of the policy admits a pod of the same namespace with these labels to
	 * the named port. Peers with a namespaceSelector are taken as other namespaces (conservative).
	 */
	static boolean admits(Manifest policy, Map<String, Object> sourceLabels, String portName) {
		for (Object rule : policy.list("spec", "ingress")) {
			List<Object> ports = listOf(Manifest.at(rule, "ports"));
			boolean port = ports.isEmpty() || ports.stream().anyMatch(p -> portName.equals(Manifest.at(p, "port")));
			Object from = Manifest.at(rule, "from");
			boolean source = from == null || listOf(from).stream().anyMatch(peer -> Manifest.at(peer, "namespaceSelector") == null
					&& Manifest.at(peer, "podSelector") != null
					&& matches(Manifest.asMap(Objects.requireNonNullElse(Manifest.at(peer, "podSelector", "matchLabels"), Map.of())),
							sourceLabels));
			if (port && source) {
				return true;
			}
		}
		return false;
	}

	/**
	 * Every service (Deployment or StatefulSet) reads its API keys from the Secret {@code secret}, mounted read-only as a
	 * directory (a subPath mount is a copy the kubelet never updates, so keys could not rotate), with
	 * LAMBDA_SECURITY_API_KEYS_FILE naming {@code keysFile} in that directory.
	 */
	static List<String> apiKeysFromSecret(List<Manifest> manifests, String secret, String keysFile) {
		List<String> problems = new ArrayList<>();
		String directory = keysFile.substring(0, keysFile.lastIndexOf('/'));
		for (Manifest deployment : services(manifests)) {
			Map<String, Object> pod = podSpec(deployment);
			List<Object> volumes = listOf(pod.get("volumes")).stream()
					.filter(volume -> secret.equals(Manifest.at(volume, "secret", "secretName"))).toList();
			if (volumes.size() != 1) {
				problems.add(deployment.id() + ": " + volumes.size() + " volumes of the Secret " + secret + ", not 1");
				continue;
			}
			Object volumeName = Manifest.at(volumes.get(0), "name");
			for (Map<String, Object> container : containers(pod)) {
				String where = deployment.id() + " container " + container.get("name");
				List<Object> mounts = listOf(container.get("volumeMounts")).stream()
						.filter(mount -> Objects.equals(volumeName, Manifest.at(mount, "name"))).toList();
				if (mounts.size() != 1 || !directory.equals(Manifest.at(mounts.get(0), "mountPath"))
						|| !Boolean.TRUE.equals(Manifest.at(mounts.get(0), "readOnly"))
						|| Manifest.at(mounts.get(0), "subPath") != null) {
					problems.add(where + ": the Secret " + secret + " is not mounted read-only as the directory "
							+ directory + " (mounts " + mounts + ")");
				}
				String named = env(container).get("LAMBDA_SECURITY_API_KEYS_FILE");
				if (!keysFile.equals(named)) {
					problems.add(where + ": LAMBDA_SECURITY_API_KEYS_FILE is " + named + ", not " + keysFile);
				}
			}
		}
		return problems;
	}

	/**
	 * Every service (Deployment or StatefulSet) serves its actuator on the container port named management ({@code port}):
	 * MANAGEMENT_SERVER_PORT says so, the startup, liveness and readiness probes and the Prometheus
	 * scrape annotations (where there are any: a ServiceMonitor may scrape instead) use it, and no Service but a "-management" one targets it (the public
	 * Services expose the API port only).
	 */
	static List<String> actuatorOnManagementPort(List<Manifest> manifests, int port) {
		List<String> problems = new ArrayList<>();
		for (Manifest deployment : services(manifests)) {
			for (Map<String, Object> container : containers(podSpec(deployment))) {
				String where = deployment.id() + " container " + container.get("name");
				boolean declared = listOf(container.get("ports")).stream().anyMatch(declaredPort ->
						"management".equals(Manifest.at(declaredPort, "name"))
								&& Integer.valueOf(port).equals(Manifest.at(declaredPort, "containerPort")));
				if (!declared) {
					problems.add(where + ": no container port management = " + port);
				}
				if (!String.valueOf(port).equals(env(container).get("MANAGEMENT_SERVER_PORT"))) {
					problems.add(where + ": MANAGEMENT_SERVER_PORT is " + env(container).get("MANAGEMENT_SERVER_PORT")
							+ ", not " + port);
				}
				for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
					if (!"management".equals(Manifest.at(container, probe, "httpGet", "port"))) {
						problems.add(where + ": the " + probe + " is not on the management port");
					}
				}
			}
			Map<String, Object> annotations = Manifest.asMap(Objects.requireNonNullElse(
					Manifest.at(deployment.podTemplate(), "metadata", "annotations"), Map.of()));
			if (annotations.containsKey("prometheus.io/scrape")
					&& (!String.valueOf(port).equals(annotations.get("prometheus.io/port"))
							|| !"/actuator/prometheus".equals(annotations.get("prometheus.io/path")))) {
				problems.add(deployment.id() + ": the scrape annotations do not name port " + port
						+ " and /actuator/prometheus: " + annotations);
			}
		}
		for (Manifest service : ofKind(manifests, "Service")) {
			boolean targetsManagement = service.list("spec", "ports").stream()
					.anyMatch(servicePort -> "management".equals(Manifest.at(servicePort, "targetPort"))
							|| Integer.valueOf(port).equals(Manifest.at(servicePort, "targetPort")));
			if (targetsManagement && !service.name().endsWith("-management")) {
				problems.add(service.id() + ": exposes the management port");
			}
		}
		return problems;
	}

	static List<Manifest> workloads(List<Manifest> manifests) {
		return manifests.stream().filter(Manifest::isWorkload).toList();
	}

	/** The long-running workloads: the four services, Deployments and the speed StatefulSet. */
	static List<Manifest> services(List<Manifest> manifests) {
		return manifests.stream().filter(m -> m.kind().equals("Deployment") || m.kind().equals("StatefulSet")).toList();
	}

	/** "secret/key" of a variable set from a secretKeyRef, or null. */
	static String secretReference(Map<String, Object> container, String variable) {
		return listOf(container.get("env")).stream()
				.filter(v -> variable.equals(Manifest.at(v, "name")))
				.map(v -> Manifest.at(v, "valueFrom", "secretKeyRef"))
				.filter(Objects::nonNull)
				.map(ref -> Manifest.at(ref, "name") + "/" + Manifest.at(ref, "key"))
				.findFirst().orElse(null);
	}

	/** A rendered Secret's values, decoded (data is base64, which kustomize wraps in lines; stringData plain). */
	static Map<String, String> secretData(Manifest secret) {
		Map<String, String> data = new HashMap<>();
		secret.map("data").forEach((key, value) -> data.put(key,
				new String(Base64.getMimeDecoder().decode(String.valueOf(value)), StandardCharsets.UTF_8)));
		secret.map("stringData").forEach((key, value) -> data.put(key, String.valueOf(value)));
		return data;
	}

	static String sha256Hex(String text) {
		try {
			return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
		}
		catch (NoSuchAlgorithmException e) {
			throw new IllegalStateException(e);
		}
	}

	static List<Manifest> ofKind(List<Manifest> manifests, String kind) {
		return manifests.stream().filter(m -> kind.equals(m.kind())).toList();
	}

	/** The workloads labelled app.kubernetes.io/component=<component>. */
	static List<Manifest> component(List<Manifest> manifests, String component) {
		return workloads(manifests).stream()
				.filter(w -> component.equals(w.string("metadata", "labels", "app.kubernetes.io/component")))
				.toList();
	}

	static Map<String, Object> podSpec(Manifest workload) {
		return Manifest.asMap(workload.podTemplate().getOrDefault("spec", Map.of()));
	}

	static List<Map<String, Object>> containers(Map<String, Object> podSpec) {
		List<Map<String, Object>> containers = new ArrayList<>();
		listOf(podSpec.get("initContainers")).forEach(c -> containers.add(Manifest.asMap(c)));
		listOf(podSpec.get("containers")).forEach(c -> containers.add(Manifest.asMap(c)));
		return containers;
	}

	/** A container's literal environment (valueFrom entries map to null values). */
	static Map<String, String> env(Map<String, Object> container) {
		Map<String, String> env = new HashMap<>();
		for (Object variable : listOf(container.get("env"))) {
			Object value = Manifest.at(variable, "value");
			env.put((String) Manifest.at(variable, "name"), value == null ? null : value.toString());
		}
		return env;
	}

	/**
	 * A container's environment as the kubelet builds it from rendered objects: the data of the
	 * ConfigMaps of its envFrom, then its env entries on top.
	 */
	static Map<String, String> resolvedEnv(List<Manifest> manifests, Map<String, Object> container) {
		Map<String, String> env = new HashMap<>();
		for (Object source : listOf(container.get("envFrom"))) {
			Object name = Manifest.at(source, "configMapRef", "name");
			ofKind(manifests, "ConfigMap").stream().filter(m -> m.name().equals(name))
					.forEach(configMap -> configMap.map("data").forEach((key, value) -> env.put(key, String.valueOf(value))));
		}
		env.putAll(env(container));
		return env;
	}

	private static Set<Object> containerPorts(Map<String, Object> container) {
		Set<Object> ports = new HashSet<>();
		for (Object port : listOf(container.get("ports"))) {
			ports.add(Manifest.at(port, "containerPort"));
			if (Manifest.at(port, "name") != null) {
				ports.add(Manifest.at(port, "name"));
			}
		}
		return ports;
	}

	private static boolean matches(Map<String, Object> selector, Map<String, Object> labels) {
		return selector.entrySet().stream().allMatch(e -> Objects.equals(labels.get(e.getKey()), e.getValue()));
	}

	/** The container's setting if it has one, else the pod's (either may be absent). */
	private static Object firstSet(Object container, Object pod) {
		return container != null ? container : pod;
	}

	private static boolean isUserRoot(Object user) {
		return user instanceof Integer id && id == 0;
	}

	private static Set<String> names(List<Manifest> manifests, String kind) {
		Set<String> names = new HashSet<>();
		ofKind(manifests, kind).forEach(m -> names.add(m.name()));
		return names;
	}

	private static List<Object> listOf(Object value) {
		return value instanceof List<?> ? Manifest.asList(value) : List.of();
	}
}
