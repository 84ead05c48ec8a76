package io.lambda.security;

import jakarta.servlet.DispatcherType;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.ManagementWebSecurityAutoConfiguration;
import org.springframework.boot.security.autoconfigure.web.servlet.ServletWebSecurityAutoConfiguration;
import org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.observation.SecurityObservationSettings;
import org.springframework.security.config.core.GrantedAuthorityDefaults;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;

/**
 * Every service's HTTP security, written once: API keys (or JWTs) with scopes, per-key rate limits,
 * problem-details answers, and an actuator where only health and info are open. See docs/security.md.
 */
// before Boot's own: each backs off from its default filter chain when it sees ours
@AutoConfiguration(before = {ServletWebSecurityAutoConfiguration.class, ManagementWebSecurityAutoConfiguration.class,
        UserDetailsServiceAutoConfiguration.class, OAuth2ResourceServerAutoConfiguration.class})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(LambdaSecurityProperties.class)
public class LambdaSecurityAutoConfiguration {

    private static final Logger log = LoggerFactory.getLogger(LambdaSecurityAutoConfiguration.class);

    @Bean
    ApiKeys lambdaApiKeys(LambdaSecurityProperties properties) {
        return new ApiKeys(properties.apiKeys(), properties.apiKeysFile(), properties.apiKeysFileCheckInterval(),
                Clock.systemUTC());
    }

    @Bean
    RateLimits lambdaRateLimits(LambdaSecurityProperties properties) {
        return new RateLimits(properties.rateLimits(), System::nanoTime);
    }

    /**
     * Health details are shown to the roles of {@code management.endpoint.health.roles}; with no
     * role prefix that role can be the {@code SCOPE_admin} authority itself.
     */
    @Bean
    static GrantedAuthorityDefaults lambdaNoRolePrefix() {
        return new GrantedAuthorityDefaults("");
    }

    /**
     * No Spring Security observations: with them every request opens an observation (a timer and a
     * tracing scope) per security filter, before and after, and one per authorization decision:
     * about a fifth of a query's CPU and a large share of an ingest request's in the profiles of
     * docs/performance.md. Requests stay observed as a whole ({@code http.server.requests}, trace
     * ids in the logs).
     */
    @Bean
    @ConditionalOnMissingBean
    SecurityObservationSettings lambdaNoSecurityObservations() {
        return SecurityObservationSettings.noObservations();
    }

    /** A URL the firewall refuses is a problem detail too, not an empty 400 or a 500. */
    @Bean
    RequestRejectedHandler lambdaRequestRejectedHandler() {
        return (request, response, e) -> ProblemResponses.rejected(response);
    }

    @Bean
    SecurityFilterChain lambdaSecurityFilterChain(HttpSecurity http, LambdaSecurityProperties properties,
            ApiKeys apiKeys, RateLimits rateLimits, Environment environment) throws Exception {
        http.csrf(csrf -> csrf.disable()) // no cookies, no sessions: a credential comes with every request
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .requestCache(cache -> cache.disable())
                .httpBasic(basic -> basic.disable())
                .formLogin(form -> form.disable())
                .logout(logout -> logout.disable());
        if (!properties.enabled()) {
            log.warn("lambda.security.enabled=false: every endpoint is open to anyone who can reach it");
            return http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll()).build();
        }
        http.exceptionHandling(exceptions -> exceptions
                .authenticationEntryPoint((request, response, e) -> ProblemResponses.unauthorized(response,
                        request.getHeader("Authorization") != null, "A credential is needed: "
                                + "'Authorization: Bearer <key>' or 'X-API-Key: <key>'."))
                .accessDeniedHandler((request, response, e) -> ProblemResponses.forbidden(response,
                        ScopeRules.required(request).map(scope -> "This needs a credential with scope '" + scope.id() + "'.")
                                .orElse("This credential may not call this endpoint."))));
        if (properties.mode() == LambdaSecurityProperties.Mode.JWT) {
            http.oauth2ResourceServer(server -> server.jwt(jwt -> { })
                    .authenticationEntryPoint((request, response, e) -> ProblemResponses.unauthorized(response,
                            request.getHeader("Authorization") != null, "A valid bearer token is needed."))
                    .accessDeniedHandler((request, response, e) -> ProblemResponses.forbidden(response,
                            "This token's scopes do not allow this endpoint.")));
        } else {
            http.addFilterBefore(new ApiKeyAuthenticationFilter(apiKeys, properties.maxCredentialLength()),
                    AnonymousAuthenticationFilter.class);
        }
        http.addFilterAfter(new RateLimitFilter(rateLimits), AuthorizationFilter.class);
        boolean separateManagementPort = separateManagementPort(environment);
        http.authorizeHttpRequests(requests -> {
            // the second leg of an async request (ingest answers with a future) and error pages were authorized already
            requests.dispatcherTypeMatchers(DispatcherType.ASYNC, DispatcherType.ERROR).permitAll();
            requests.requestMatchers(EndpointRequest.to("health", "info")).permitAll();
            if (separateManagementPort) {
                // that port is kept off the public Service (helm/lambda): Prometheus scrapes it without a key
                requests.requestMatchers(EndpointRequest.to("prometheus")).permitAll();
            }
            requests.requestMatchers(EndpointRequest.toAnyEndpoint()).authenticated();
            PathPatternRequestMatcher.Builder paths = PathPatternRequestMatcher.withDefaults();
            properties.openPaths().forEach(path -> requests.requestMatchers(paths.matcher(path)).permitAll());
            for (ScopeRules.Rule rule : ScopeRules.rules()) {
                requests.requestMatchers(rule.matcher()).hasAuthority(rule.scope().authority());
            }
            requests.anyRequest().authenticated();
        });
        return http.build();
    }

    static boolean separateManagementPort(Environment environment) {
        Integer management = environment.getProperty("management.server.port", Integer.class);
        Integer server = environment.getProperty("server.port", Integer.class, 8080);
        return management != null && management > 0 && !management.equals(server);
    }
}
