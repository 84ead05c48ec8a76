package io.lambda.security;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.json.JsonMapper;

/**
 * The RFC 9457 answers of the security layer (400 for a rejected URL, 401, 403, 429). They name the rule that failed, never
 * echo the credential, and carry no stack trace.
 */
final class ProblemResponses {

    static final String REALM = "lambda";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private ProblemResponses() {
    }

    /** 401 with the challenge a client needs: a Bearer token or an X-API-Key header. */
    static void unauthorized(HttpServletResponse response, boolean credentialSent, String detail) throws IOException {
        String challenge = "Bearer realm=\"" + REALM + "\"" + (credentialSent ? ", error=\"invalid_token\"" : "");
        response.setHeader("WWW-Authenticate", challenge);
        write(response, HttpStatus.UNAUTHORIZED, "unauthorized", detail);
    }

    static void forbidden(HttpServletResponse response, String detail) throws IOException {
        write(response, HttpStatus.FORBIDDEN, "insufficient-scope", detail);
    }

    /** 400 for a request the firewall refuses (e.g. an encoded slash, a NUL, a "//" in the path). */
    static void rejected(HttpServletResponse response) throws IOException {
        write(response, HttpStatus.BAD_REQUEST, "rejected-request",
                "The request's URL holds characters or sequences that are not accepted.");
    }

    static void tooManyRequests(HttpServletResponse response, long retryAfterSeconds, String detail) throws IOException {
        response.setHeader("Retry-After", Long.toString(retryAfterSeconds));
        write(response, HttpStatus.TOO_MANY_REQUESTS, "rate-limited", detail);
    }

    private static void write(HttpServletResponse response, HttpStatus status, String type, String detail)
            throws IOException {
        if (response.isCommitted()) {
            return;
        }
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "urn:lambda:problem:" + type);
        problem.put("title", status.getReasonPhrase());
        problem.put("status", status.value());
        problem.put("detail", detail);
        response.setStatus(status.value());
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        JSON.writeValue(response.getOutputStream(), problem);
    }
}
