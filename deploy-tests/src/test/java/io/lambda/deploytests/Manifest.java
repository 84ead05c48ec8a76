package io.lambda.deploytests;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.StreamSupport;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * One Kubernetes object of a rendered stream (helm template, kubectl kustomize), as the generic maps
 * SnakeYAML gives, with the few typed accessors the invariant checks need.
 */
record Manifest(Map<String, Object> body) {

	static List<Manifest> parseAll(String yaml) {
		Yaml parser = new Yaml(new SafeConstructor(new LoaderOptions()));
		List<Manifest> manifests = new ArrayList<>();
		StreamSupport.stream(parser.loadAll(yaml).spliterator(), false)
				.filter(Objects::nonNull)
				.forEach(document -> manifests.add(new Manifest(asMap(document))));
		return manifests;
	}

	String kind() {
		return (String) body.get("kind");
	}

	String name() {
		return string("metadata", "name");
	}

	/** Kind/name, for messages. */
	String id() {
		return kind() + "/" + name();
	}

	Map<String, Object> map(String... path) {
		Object value = get(path);
		return value == null ? Map.of() : asMap(value);
	}

	List<Object> list(String... path) {
		Object value = get(path);
		return value == null ? List.of() : asList(value);
	}

	String string(String... path) {
		Object value = get(path);
		return value == null ? null : value.toString();
	}

	Object get(String... path) {
		return at(body, path);
	}

	boolean isWorkload() {
		return List.of("Deployment", "StatefulSet", "DaemonSet", "Job").contains(kind())
				|| "CronJob".equals(kind());
	}

	/** The pod template of a workload (a CronJob's through its job template). */
	Map<String, Object> podTemplate() {
		if ("CronJob".equals(kind())) {
			return map("spec", "jobTemplate", "spec", "template");
		}
		return map("spec", "template");
	}

	static Object at(Object start, String... path) {
		Object current = start;
		for (String key : path) {
			if (!(current instanceof Map<?, ?> map)) {
				return null;
			}
			current = map.get(key);
		}
		return current;
	}

	@SuppressWarnings("unchecked")
	static Map<String, Object> asMap(Object value) {
		if (!(value instanceof Map<?, ?>)) {
			throw new IllegalArgumentException("expected a mapping, was " + value);
		}
		return (Map<String, Object>) value;
	}

	@SuppressWarnings("unchecked")
	static List<Object> asList(Object value) {
		if (!(value instanceof List<?>)) {
			throw new IllegalArgumentException("expected a list, was " + value);
		}
		return (List<Object>) value;
	}
}
