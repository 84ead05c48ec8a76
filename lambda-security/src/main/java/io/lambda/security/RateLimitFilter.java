package io.lambda.security;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * After authorization: a request of an authenticated credential to a scoped API takes a token of
 * that credential's bucket for the scope, or gets 429 with Retry-After before anything of it is
 * read or accepted, so a refused request has no effect and an accepted one is never dropped.
 */
final class RateLimitFilter extends OncePerRequestFilter {

    private final RateLimits limits;

    RateLimitFilter(RateLimits limits) {
        this.limits = limits;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        Optional<Scope> scope = ScopeRules.required(request);
        if (authentication != null && !(authentication instanceof AnonymousAuthenticationToken) && scope.isPresent()) {
            long waitNanos = limits.tryAcquire(authentication.getName(), scope.get());
            if (waitNanos > 0) {
                ProblemResponses.tooManyRequests(response, RateLimits.retryAfterSeconds(waitNanos),
                        "Over the rate limit of this credential for scope '" + scope.get().id() + "'.");
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
