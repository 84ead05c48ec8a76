package io.lambda.query.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.config.observation.SecurityObservationSettings;

/**
 * No Spring Security observations: with them every request starts an observation (a timer and a
 * tracing scope) per security filter, before and after, and one per authorization decision, about a
 * fifth of a series request's CPU in the profile of docs/performance.md. Requests are still observed
 * as a whole ({@code http.server.requests}, trace ids in the logs) and timed as {@code lambda.query.requests}.
 */
@Configuration(proxyBeanMethods = false)
class SecurityObservations {

    @Bean
    SecurityObservationSettings noSpringSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }
}
