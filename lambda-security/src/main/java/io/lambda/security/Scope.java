package io.lambda.security;

import java.util.Locale;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What a credential may do: {@code ingest} events, {@code read} views (REST and GraphQL),
 * {@code admin} the batch layer, or {@code internal}: one service reading another's state (query-service
 * reading speed-service's cells), with a rate limit sized for every query fanning out, not for a user. The authority is {@code SCOPE_<name>}, as Spring Security maps the
 * {@code scope}/{@code scp} claim of a JWT, so API keys and tokens meet the same rules.
 */
public enum Scope {
    INGEST, READ, ADMIN, INTERNAL;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String authority() {
        return "SCOPE_" + id();
    }

    public GrantedAuthority grantedAuthority() {
        return new SimpleGrantedAuthority(authority());
    }
}
