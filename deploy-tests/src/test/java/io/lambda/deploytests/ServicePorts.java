package io.lambda.deploytests;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The four services as the repository defines them: component, Maven module, server.port. */
final class ServicePorts {

	static final List<String> COMPONENTS = List.of("ingest", "speed", "batch", "query");

	/** server.port of each component, read from its module's application.yaml (first document). */
	static final Map<String, Integer> BY_COMPONENT = read();

	private ServicePorts() {
	}

	static String module(String component) {
		return component + "-service";
	}

	private static Map<String, Integer> read() {
		Map<String, Integer> ports = new LinkedHashMap<>();
		for (String component : COMPONENTS) {
			String yaml = Repository.read(Repository.path(module(component) + "/src/main/resources/application.yaml"));
			Object first = new Yaml(new SafeConstructor(new LoaderOptions())).loadAll(yaml).iterator().next();
			Object port = Manifest.at(first, "server", "port");
			if (!(port instanceof Integer number)) {
				throw new IllegalStateException(module(component) + " sets no server.port in its application.yaml");
			}
			ports.put(component, number);
		}
		return Map.copyOf(ports);
	}
}
