package io.lambda.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Reads an API key from {@code Authorization: Bearer <key>} or {@code X-API-Key: <key>}. No key
 * leaves the request anonymous (the authorization rules then answer 401 where one is needed); a key
 * that matches none is refused with 401 at once, even on an open path, so a typo is never silent.
 */
final class ApiKeyAuthenticationFilter extends OncePerRequestFilter {

    static final String API_KEY_HEADER = "X-API-Key";

    /** An authenticated key: its id is the principal's name (logs, rate limits), its scopes the authorities. */
    static final class ApiKeyAuthentication extends AbstractAuthenticationToken {

        private final ApiKey key;

        ApiKeyAuthentication(ApiKey key) {
            super(key.scopes().stream().map(Scope::grantedAuthority).toList());
            this.key = key;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return key.id();
        }
    }

    private final ApiKeys keys;
    private final int maxCredentialLength;

    ApiKeyAuthenticationFilter(ApiKeys keys, int maxCredentialLength) {
        this.keys = keys;
        this.maxCredentialLength = maxCredentialLength;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Optional<String> presented = presentedKey(request);
        if (presented.isEmpty()) {
            chain.doFilter(request, response);
            return;
        }
        String key = presented.get();
        Optional<ApiKey> match = key.isEmpty() || key.length() > maxCredentialLength ? Optional.empty() : keys.find(key);
        if (match.isEmpty()) {
            ProblemResponses.unauthorized(response, true, "The API key is not valid.");
            return;
        }
        SecurityContext context = SecurityContextHolder.createEmptyContext();
        context.setAuthentication(new ApiKeyAuthentication(match.get()));
        SecurityContextHolder.setContext(context);
        try {
            chain.doFilter(request, response);
        } finally {
            SecurityContextHolder.clearContext();
        }
    }

    static Optional<String> presentedKey(HttpServletRequest request) {
        String header = request.getHeader(API_KEY_HEADER);
        if (header != null) {
            return Optional.of(header.strip());
        }
        String authorization = request.getHeader("Authorization");
        if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Optional.of(authorization.substring(7).strip());
        }
        return Optional.empty();
    }
}
