package io.lambda.deploytests;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Paths in the repository, found from the working directory (the module folder under Maven). */
final class Repository {

	static final Path ROOT = findRoot();

	static final Path CHART = ROOT.resolve("helm/lambda");

	static final Path K8S = ROOT.resolve("k8s");

	static final Path DOCKER = ROOT.resolve("docker");

	private Repository() {
	}

	static Path path(String relative) {
		return ROOT.resolve(relative);
	}

	static String read(Path file) {
		try {
			return Files.readString(file);
		}
		catch (IOException e) {
			throw new UncheckedIOException(e);
		}
	}

	private static Path findRoot() {
		Path dir = Path.of("").toAbsolutePath();
		while (dir != null) {
			if (Files.isRegularFile(dir.resolve("helm/lambda/Chart.yaml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
				return dir;
			}
			dir = dir.getParent();
		}
		throw new IllegalStateException("no repository root (with helm/lambda/Chart.yaml) above " + Path.of("").toAbsolutePath());
	}
}
