package io.lambda.security;

import java.util.Locale;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

/**
 * What a credential may do: {@code ingest} events, {@code read} views (REST and GraphQL), or
 * {@code admin} the batch layer. The authority is {@code SCOPE_<name>}, as Spring Security maps the
 * {@code scope}/{@code scp} claim of a JWT, so API keys and tokens meet the same rules.
 */
public enum Scope {
    INGEST, READ, ADMIN;

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
