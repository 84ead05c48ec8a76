package io.lambda.deploytests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The chart under helm/lambda, linted and rendered by the Helm library that helm-java embeds (no
 * helm binary, no cluster). Rendering validates the values against values.schema.json.
 */
final class HelmChart {

	static final String RELEASE = "lambda";

	static final String NAMESPACE = "analytics";

	private static final Pattern LOOKUP = Pattern.compile("\\(lookup [^)]*\\)");

	private HelmChart() {
	}

	/** The chart's ci/*-values.yaml files, by name. */
	static List<Path> ciValuesFiles() {
		try (Stream<Path> files = Files.list(Repository.CHART.resolve("ci"))) {
			return files.filter(file -> file.getFileName().toString().endsWith("-values.yaml")).sorted().toList();
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	/** What the helm CLI's template (and a first install) gets from lookup: nothing. */
	static final String NOTHING_INSTALLED = "(dict)";

	/**
	 * helm template with the default values, or with a values file (null for none) and --set pairs.
	 * The embedded Helm leaves hooks out of its output, so this renders a copy of the chart whose
	 * hook annotations are removed: the hooks (the schema-init Job and its ConfigMap) then come out
	 * as plain resources and go through the same checks. {@code HelmChartTests} checks the
	 * annotations themselves on the templates.
	 */
	static String template(Path valuesFile, Map<String, Object> sets) {
		return template(valuesFile, sets, NOTHING_INSTALLED);
	}

	/**
	 * As {@link #template(Path, Map)}, with every lookup answering {@code lookupAnswer} (a template
	 * expression): the embedded Helm asks a cluster at localhost:8080 where the helm CLI's template
	 * answers an empty object, so the copy's lookups are replaced, which also lets a test render an
	 * upgrade over objects that exist.
	 */
	static String template(Path valuesFile, Map<String, Object> sets, String lookupAnswer) {
		Path copy = copyChart();
		try (Stream<Path> templates = Files.walk(copy.resolve("templates"))) {
			for (Path template : templates.filter(Files::isRegularFile).toList()) {
				String text = Files.readString(template);
				String withoutHooks = text.lines()
						.filter(line -> !line.strip().startsWith("helm.sh/hook"))
						.reduce("", (all, line) -> all + line + "\n");
				Files.writeString(template, LOOKUP.matcher(withoutHooks).replaceAll(Matcher.quoteReplacement(lookupAnswer)));
			}
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		TemplateCommand command = new Helm(copy).template()
				.withName(RELEASE)
				.withNamespace(NAMESPACE)
				.withKubeVersion("1.30.0");
		if (valuesFile != null) {
			command = command.withValuesFile(valuesFile);
		}
		for (Map.Entry<String, Object> set : sets.entrySet()) {
			command = command.set(set.getKey(), set.getValue());
		}
		return command.call();
	}

	static List<Manifest> render(Path valuesFile) {
		return Manifest.parseAll(template(valuesFile, Map.of()));
	}

	static List<Manifest> render(Map<String, Object> sets) {
		return Manifest.parseAll(template(null, sets));
	}

	/**
	 * helm lint --strict of the chart with these values on top of values.yaml (null for the defaults).
	 * Helm's lint takes no values file, so the chart is copied with the two merged into its values.yaml.
	 */
	static LintResult lintStrict(Path valuesFile) {
		if (valuesFile == null) {
			return new Helm(Repository.CHART).lint().strict().call();
		}
		Path copy = copyChart();
		Yaml yaml = new Yaml(new SafeConstructor(new LoaderOptions()));
		Map<String, Object> defaults = Manifest.asMap(yaml.load(Repository.read(copy.resolve("values.yaml"))));
		Map<String, Object> overrides = Manifest.asMap(yaml.load(Repository.read(valuesFile)));
		DumperOptions options = new DumperOptions();
		options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
		try {
			Files.writeString(copy.resolve("values.yaml"), new Yaml(options).dump(merge(defaults, overrides)));
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
		return new Helm(copy).lint().strict().call();
	}

	/** Helm's coalescing of values: maps merge key by key, anything else is replaced. */
	static Map<String, Object> merge(Map<String, Object> base, Map<String, Object> overrides) {
		Map<String, Object> merged = new LinkedHashMap<>(base);
		overrides.forEach((key, value) -> {
			if (value instanceof Map<?, ?> && merged.get(key) instanceof Map<?, ?>) {
				merged.put(key, merge(Manifest.asMap(merged.get(key)), Manifest.asMap(value)));
			}
			else {
				merged.put(key, value);
			}
		});
		return merged;
	}

	private static Path copyChart() {
		try {
			Path target = Files.createTempDirectory("lambda-chart").resolve("lambda");
			List<Path> sources;
			try (Stream<Path> walk = Files.walk(Repository.CHART)) {
				sources = new ArrayList<>(walk.toList());
			}
			for (Path source : sources) {
				Path destination = target.resolve(Repository.CHART.relativize(source).toString());
				if (Files.isDirectory(source)) {
					Files.createDirectories(destination);
				}
				else {
					Files.copy(source, destination);
				}
			}
			return target;
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}
}
