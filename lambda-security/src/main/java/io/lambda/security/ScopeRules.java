package io.lambda.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import java.util.Optional;
import org.springframework.http.HttpMethod;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Which scope each public API needs, in one place: authorization and rate limits both read it.
 * The first matching rule wins; a request no rule names needs a credential of any scope.
 */
public final class ScopeRules {

    /** One rule: requests matching {@code matcher} need {@code scope}. */
    public record Rule(RequestMatcher matcher, Scope scope) {
    }

    private static final PathPatternRequestMatcher.Builder PATHS = PathPatternRequestMatcher.withDefaults();

    private static final List<Rule> RULES = List.of(
            new Rule(PATHS.matcher(HttpMethod.POST, "/api/v1/events"), Scope.INGEST),
            new Rule(PATHS.matcher("/api/v1/events/**"), Scope.INGEST),
            new Rule(PATHS.matcher("/api/v1/batch/**"), Scope.ADMIN),
            new Rule(PATHS.matcher("/api/v1/**"), Scope.READ),
            // speed-service's interactive queries (engine streams): query-service's reads, one or more per query
            new Rule(PATHS.matcher("/internal/**"), Scope.INTERNAL),
            new Rule(PATHS.matcher("/graphql/**"), Scope.READ));

    private ScopeRules() {
    }

    public static List<Rule> rules() {
        return RULES;
    }

    public static Optional<Scope> required(HttpServletRequest request) {
        return RULES.stream().filter(rule -> rule.matcher().matches(request)).map(Rule::scope).findFirst();
    }
}
