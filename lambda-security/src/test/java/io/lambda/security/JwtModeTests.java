package io.lambda.security;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.RSAPublicKey;
import java.time.Instant;
import java.util.Date;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.NimbusJwtDecoder;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;

/**
 * JWT mode: scopes come from the token's {@code scope} (or {@code scp}) claim. The decoder trusts a
 * key pair made here, as it would trust an issuer's JWKS, so no network is involved.
 */
@SpringBootTest(classes = {SecuredTestApplication.class, JwtModeTests.LocalIssuer.class},
        properties = "lambda.security.mode=jwt")
@AutoConfigureMockMvc
class JwtModeTests {

    static final KeyPair ISSUER = rsaKeyPair();
    static final KeyPair STRANGER = rsaKeyPair();

    @TestConfiguration(proxyBeanMethods = false)
    static class LocalIssuer {
        @Bean
        JwtDecoder jwtDecoder() {
            return NimbusJwtDecoder.withPublicKey((RSAPublicKey) ISSUER.getPublic()).build();
        }
    }

    @Autowired
    MockMvcTester mvc;

    @Test
    void aTokenWithTheScopeIsLetInAndItsScopesComeFromTheScopeOrScpClaim() throws Exception {
        assertThat(mvc.get().uri("/api/v1/views/pageviews/series")
                .header("Authorization", "Bearer " + token(ISSUER, "scope", "read ingest", 300))).hasStatusOk();
        assertThat(mvc.post().uri("/api/v1/batch/runs")
                .header("Authorization", "Bearer " + token(ISSUER, "scp", "admin", 300))).hasStatusOk();
    }

    @Test
    void aWrongScopeIs403AndAMissingExpiredOrForeignTokenIs401() throws Exception {
        MvcTestResult wrongScope = mvc.post().uri("/api/v1/batch/runs")
                .header("Authorization", "Bearer " + token(ISSUER, "scope", "read", 300)).exchange();
        assertThat(wrongScope).hasStatus(403).bodyJson().extractingPath("$.status").isEqualTo(403);

        assertThat(mvc.get().uri("/api/v1/views/pageviews/series")).hasStatus(401)
                .headers().hasValue("WWW-Authenticate", "Bearer realm=\"lambda\"");
        for (String bad : new String[] {token(ISSUER, "scope", "read", -300), token(STRANGER, "scope", "read", 300),
                "not.a.jwt"}) {
            MvcTestResult result = mvc.get().uri("/api/v1/views/pageviews/series").header("Authorization", "Bearer " + bad)
                    .exchange();
            assertThat(result).hasStatus(401);
            assertThat(result).bodyJson().extractingPath("$.type").isEqualTo("urn:lambda:problem:unauthorized");
        }
    }

    static String token(KeyPair signer, String claim, String scopes, long expiresInSeconds) throws Exception {
        Instant now = Instant.now();
        JWTClaimsSet claims = new JWTClaimsSet.Builder().subject("dashboard").issueTime(Date.from(now.minusSeconds(600)))
                .expirationTime(Date.from(now.plusSeconds(expiresInSeconds))).claim(claim, scopes).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        jwt.sign(new RSASSASigner(signer.getPrivate()));
        return jwt.serialize();
    }

    static KeyPair rsaKeyPair() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
