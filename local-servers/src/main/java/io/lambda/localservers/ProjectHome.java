package io.lambda.localservers;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The root of the checkout: where {@code mvnw} and {@code lambda} live, and under it the git-ignored
 * state folder {@code .lambda/} that holds resolved classpaths, server data, logs and pid files.
 */
public record ProjectHome(Path root) {

    public static ProjectHome locate() {
        String configured = System.getProperty("lambda.home", System.getenv("LAMBDA_HOME"));
        if (configured != null && !configured.isBlank()) {
            return new ProjectHome(Path.of(configured).toAbsolutePath().normalize());
        }
        // Tests run with the module as working directory, ./lambda with the root: walk up to the root.
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isRegularFile(dir.resolve("lambda"))) {
                return new ProjectHome(dir);
            }
        }
        throw new IllegalStateException("Cannot find the project root (a folder with mvnw and lambda) above "
                + Path.of("").toAbsolutePath() + "; set -Dlambda.home or LAMBDA_HOME");
    }

    public Path stateDir() {
        return root.resolve(".lambda");
    }

    public Path mavenWrapper() {
        return root.resolve("mvnw");
    }
}
