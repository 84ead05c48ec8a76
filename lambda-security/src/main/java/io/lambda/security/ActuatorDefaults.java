package io.lambda.security;

import java.util.Map;
import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

/**
 * The actuator defaults that go with the security rules, below every other property source so a
 * service or deployment can still set them: only health, info and prometheus on the web, and
 * health details and components only for a credential with scope {@code admin}.
 */
class ActuatorDefaults implements EnvironmentPostProcessor {

    static final Map<String, Object> DEFAULTS = Map.of(
            "management.endpoints.web.exposure.include", "health,info,prometheus",
            "management.endpoint.health.show-details", "when-authorized",
            "management.endpoint.health.show-components", "when-authorized",
            "management.endpoint.health.roles", Scope.ADMIN.authority());

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        environment.getPropertySources().addLast(new MapPropertySource("lambdaSecurityActuatorDefaults", DEFAULTS));
    }
}
