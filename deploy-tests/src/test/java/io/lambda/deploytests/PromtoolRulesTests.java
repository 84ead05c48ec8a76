package io.lambda.deploytests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The alert rules pass Prometheus's own checks: {@code promtool check rules} (syntax, PromQL, templates)
 * and {@code promtool test rules} (helm/lambda/files/rules-tests: each alert fires when it should and
 * stays quiet when it should). promtool comes with Debian's {@code prometheus} package, which .ci/run
 * installs when missing; without it this test fails rather than skips, so CI cannot pass unchecked rules.
 */
class PromtoolRulesTests {

	private static final Path PROMTOOL = Path.of(System.getenv().getOrDefault("LAMBDA_PROMTOOL", "/usr/bin/promtool"));

	@Test
	void ruleFilesPassPromtoolCheck() throws Exception {
		List<String> command = new ArrayList<>(List.of(promtool(), "check", "rules"));
		try (Stream<Path> rules = Files.list(Repository.CHART.resolve("files/rules"))) {
			rules.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(p -> command.add(p.toString()));
		}
		assertThat(command).hasSizeGreaterThan(3);

		Result result = run(command);

		assertThat(result.exitCode()).as("promtool check rules:\n%s", result.output()).isZero();
		assertThat(result.output()).contains("SUCCESS");
	}

	@Test
	void ruleUnitTestsPass() throws Exception {
		List<String> command = new ArrayList<>(List.of(promtool(), "test", "rules"));
		try (Stream<Path> tests = Files.list(Repository.CHART.resolve("files/rules-tests"))) {
			tests.filter(p -> p.toString().endsWith(".test.yaml")).sorted().forEach(p -> command.add(p.toString()));
		}
		assertThat(command).hasSizeGreaterThan(3);

		Result result = run(command);

		assertThat(result.exitCode()).as("promtool test rules:\n%s", result.output()).isZero();
		assertThat(result.output()).contains("SUCCESS").doesNotContain("FAILED");
	}

	@Test
	void everyAlertHasAUnitTest() throws IOException {
		String rules = Repository.read(Repository.CHART.resolve("files/rules/lambda.yaml"));
		String tests = Repository.read(Repository.CHART.resolve("files/rules-tests/lambda.test.yaml"));
		List<String> untested = new ArrayList<>();
		java.util.regex.Matcher alert = java.util.regex.Pattern.compile("(?m)^\\s*- alert: (\\w+)").matcher(rules);
		while (alert.find()) {
			if (!tests.contains("alertname: " + alert.group(1))) {
				untested.add(alert.group(1));
			}
		}
		assertThat(untested).as("alerts without a test in files/rules-tests/lambda.test.yaml").isEmpty();
	}

	private static String promtool() {
		if (!Files.isExecutable(PROMTOOL)) {
			fail("promtool is not installed at " + PROMTOOL + ": it comes with Debian's prometheus package "
					+ "(apt-get install prometheus; .ci/run installs it when missing), or set LAMBDA_PROMTOOL");
		}
		return PROMTOOL.toString();
	}

	private record Result(int exitCode, String output) {
	}

	private static Result run(List<String> command) throws IOException, InterruptedException {
		Process process = new ProcessBuilder(command).directory(Repository.ROOT.toFile()).redirectErrorStream(true).start();
		byte[] output = process.getInputStream().readAllBytes();
		if (!process.waitFor(60, TimeUnit.SECONDS)) {
			process.destroyForcibly();
			fail("promtool did not finish within 60 s: " + command);
		}
		return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
	}
}
