package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ActiveProfiles;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A generated corpus of malformed query parameters and GraphQL requests, sent to the running
 * service (real Tomcat, real Cassandra): bad view names, keys with control characters or of huge
 * length, bad dates, inverted and huge ranges, bad granularities and limits; unparseable, truncated,
 * huge and deep GraphQL documents and ill-typed variables. None may be answered with a 5xx or hang
 * (every request has a timeout). An input that is wrong is refused: REST with a 4xx problem detail,
 * GraphQL with a GraphQL error (or a 4xx when the HTTP request is no GraphQL request at all). Some
 * inputs only look wrong and are legal: a key is any string (control characters, '|' and '\'
 * included, as events may carry them), granularities and limits are read leniently (" HOUR ",
 * "+5", an empty limit meaning the default); those may also be answered, but never with a 5xx.
 * The corpus is drawn from a fixed seed, so a failure names a reproducible case.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(RealCassandra.class)
@ActiveProfiles("it")
class QueryFuzzIntegrationTests {

    private static final String KEYSPACE = "it_fuzz_" + Long.toHexString(System.nanoTime());
    private static final long SEED = 20261126L;
    private static final JsonMapper JSON = JsonMapper.builder().build();
    /**
     * What Tomcat refuses before the application sees it: an encoded '/', '\\', NUL or overlong UTF-8
     * byte in the path. In the query string an overlong byte reaches QueryProblems (a problem detail).
     */
    private static final Pattern CONTAINER_REJECTS = Pattern.compile("(?i)^[^?]*%(2F|5C|00|C0)");

    private static final String FROM = "2026-11-20T06:00:00Z";
    private static final String TO = "2026-11-20T14:00:00Z";

    private static final List<String> BAD_VIEWS = List.of("", " ", "nope", "PAGEVIEWS", "pageviews ", "../pageviews",
            "..%2f..%2fetc", "pageviews\u0000", "page\nviews", "page\tviews", "\u202epageviews", "pageviews;drop table x",
            "'pageviews'", "\"pageviews\"", "a".repeat(5_000), "ü".repeat(1_000), "%", "%%", "{view}", "*", "\\");
    private static final List<String> BAD_KEYS = List.of("\u0000", "a\u0000b", "\u0001\u0002\u0003", "\u001f", "\u007f",
            "line\nbreak", "\r\n", "a|b", "a|b|c", "\\", "a\\", "\\x", "a\\|", "||||", "\ud800", "\uffff",
            "k".repeat(2_000), "k".repeat(6_000), "k".repeat(100_000), "/home".repeat(1_000), "<script>", "' OR 1=1 --");
    private static final List<String> BAD_DATES = List.of("", " ", "yesterday", "0", "-1", "1e309", "NaN", "null",
            "2026-13-01T00:00:00Z", "2026-11-31T00:00:00Z", "2026-11-20T25:00:00Z", "2026-11-20T06:60:00Z",
            "2026-11-20T06:00:00+25:00", "2026-11-20T06:00:00", "2026-11-20", "06:00:00Z", "2026-11-20 06:00:00Z",
            "+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "+1000000000-01-01T00:00:00Z",
            "2026-11-20T06:00:00\u0000Z", "9".repeat(5_000), "2026-11-20T06:00:00Z\n", "-1763618400000",
            "253402300800000", "1763618400000.5");
    /** Legal, inside a bucket: answered for the range widened to whole buckets. */
    private static final List<String> WIDENED_DATES = List.of("2026-11-20T06:00:00.000000001Z", "1763618400001",
            "0001763618400001");
    private static final List<String> BAD_GRANULARITIES = List.of(" ", "week", "month", "hours", "h",
            "\u0000", "sec", "1h", "PT1H", "x".repeat(3_000), "null");
    /** Spellings the API reads leniently (trimmed, any case; empty is the default). */
    private static final List<String> LENIENT_GRANULARITIES = List.of("", "HOUR ", "minute\n", "Day");
    private static final List<String> BAD_LIMITS = List.of("0", "-1", "-2147483648", "2147483648", "1001",
            "99999999999999999999999", "1.5", "ten", "NaN", "1e3", "\u0000", "Infinity");
    /** Spellings Spring's number binding reads (blank is absent, hex, signs, surrounding spaces). */
    private static final List<String> LENIENT_LIMITS = List.of("", " ", "0x10", "+5", "5 ");
    /** Valid but hostile ranges: inverted, empty, enormous, at the ends of time. */
    private static final List<String[]> BAD_RANGES = List.of(
            new String[] {TO, FROM}, new String[] {FROM, FROM},
            new String[] {"2026-11-20T06:30:00Z", TO}, // inside an hour: legal, widened to whole hours or days
            new String[] {"0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"},
            new String[] {"-999999999-01-01T00:00:00Z", "+999999999-12-31T00:00:00Z"},
            new String[] {"+999999999-12-31T00:00:00Z", "-999999999-01-01T00:00:00Z"},
            new String[] {"1970-01-01T00:00:00Z", "2026-11-20T00:00:00Z"},
            new String[] {"2026-11-20T06:00:00-12:00", "2026-11-20T06:00:00+14:00"});

    @DynamicPropertySource
    static void ownKeyspace(DynamicPropertyRegistry registry) {
        registry.add("lambda.store.keyspace", () -> KEYSPACE);
    }

    @LocalServerPort
    int port;

    ApiClient api;

    @BeforeEach
    void client() {
        api = new ApiClient(port);
    }

    /** One REST request of the corpus: which mutation, and the path with its encoded query. */
    record RestCase(String what, String path, boolean mustRefuse) {
        @Override
        public String toString() {
            return what.length() > 90 ? what.substring(0, 90) + "…" : what;
        }
    }

    static Stream<RestCase> restCorpus() {
        Random random = new Random(SEED);
        List<RestCase> cases = new ArrayList<>();
        for (String view : BAD_VIEWS) {
            cases.add(series("view " + printable(view), view, Map.of("key", "/home", "from", FROM, "to", TO)));
            cases.add(top("view " + printable(view), view, Map.of("from", FROM, "to", TO)));
        }
        for (String key : BAD_KEYS) {
            cases.add(series("key " + printable(key), "pageviews", Map.of("key", key, "from", FROM, "to", TO), false));
            cases.add(series("key on a day " + printable(key), "revenue",
                    Map.of("key", key, "from", "2026-11-20T00:00:00Z", "to", "2026-11-21T00:00:00Z", "granularity", "day"),
                    false));
        }
        for (String date : BAD_DATES) {
            cases.add(series("from " + printable(date), "pageviews", Map.of("key", "/home", "from", date, "to", TO)));
            cases.add(series("to " + printable(date), "pageviews", Map.of("key", "/home", "from", FROM, "to", date)));
            cases.add(top("from " + printable(date), "pageviews", Map.of("from", date, "to", TO)));
        }
        for (String date : WIDENED_DATES) {
            cases.add(series("widened from " + printable(date), "pageviews", Map.of("key", "/home", "from", date, "to", TO),
                    false));
            cases.add(top("widened from " + printable(date), "pageviews", Map.of("from", date, "to", TO), false));
        }
        for (String[] range : BAD_RANGES) {
            for (String granularity : List.of("minute", "hour", "day")) {
                boolean widened = range == BAD_RANGES.get(2);
                cases.add(series("range " + range[0] + ".." + range[1] + " by " + granularity, "visitors",
                        Map.of("key", "/home", "from", range[0], "to", range[1], "granularity", granularity), !widened));
                cases.add(top("range " + range[0] + ".." + range[1] + " by " + granularity, "max_order",
                        Map.of("from", range[0], "to", range[1], "granularity", granularity), !widened));
            }
        }
        for (String granularity : BAD_GRANULARITIES) {
            cases.add(series("granularity " + printable(granularity), "pageviews",
                    Map.of("key", "/home", "from", FROM, "to", TO, "granularity", granularity)));
            cases.add(top("granularity " + printable(granularity), "pageviews",
                    Map.of("from", FROM, "to", TO, "granularity", granularity)));
        }
        for (String granularity : LENIENT_GRANULARITIES) {
            cases.add(series("lenient granularity " + printable(granularity), "pageviews",
                    Map.of("key", "/home", "from", FROM, "to", TO, "granularity", granularity), false));
        }
        for (String limit : BAD_LIMITS) {
            cases.add(top("limit " + printable(limit), "revenue", Map.of("from", FROM, "to", TO, "limit", limit)));
        }
        for (String limit : LENIENT_LIMITS) {
            cases.add(top("lenient limit " + printable(limit), "revenue", Map.of("from", FROM, "to", TO, "limit", limit), false));
        }
        for (String view : BAD_VIEWS) {
            cases.add(keys("view " + printable(view), view, Map.of()));
        }
        for (String limit : BAD_LIMITS) {
            cases.add(keys("limit " + printable(limit), "pageviews", Map.of("limit", limit)));
        }
        for (String prefix : BAD_KEYS) {
            cases.add(keys("prefix " + printable(prefix), "pageviews", Map.of("prefix", prefix), false));
        }
        // combinations: two or three parameters bad at once, drawn from the lists above
        List<List<String>> pools = List.of(BAD_KEYS, BAD_DATES, BAD_DATES, BAD_GRANULARITIES);
        // a bad key alone is legal; the key pool is drawn first so a later draw of the same name wins
        String[] names = {"key", "from", "to", "granularity"};
        for (int i = 0; i < 40; i++) {
            Map<String, String> parameters = new LinkedHashMap<>(Map.of("key", "/home", "from", FROM, "to", TO));
            StringBuilder what = new StringBuilder("mixed");
            for (int bad = 0; bad < 2 + random.nextInt(2); bad++) {
                int which = random.nextInt(names.length);
                String value = pools.get(which).get(random.nextInt(pools.get(which).size()));
                parameters.put(names[which], value);
                what.append(' ').append(names[which]).append('=').append(printable(value));
            }
            boolean somethingBad = !parameters.get("from").equals(FROM) || !parameters.get("to").equals(TO)
                    || parameters.containsKey("granularity");
            cases.add(series(what.toString(), "pageviews", parameters, somethingBad));
        }
        cases.add(new RestCase("repeated parameters", "/api/v1/views/pageviews/series?key=a&key=b&from=" + FROM
                + "&from=" + TO + "&to=" + TO, true));
        cases.add(new RestCase("overlong UTF-8 in a key", "/api/v1/views/pageviews/series?key=%C0%AF&from=" + FROM
                + "&to=" + TO, false));
        cases.add(new RestCase("encoded slash in the view", "/api/v1/views/page%2Fviews/series?key=a&from=" + FROM
                + "&to=" + TO, true));
        return cases.stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("restCorpus")
    void malformedRestParametersAreAProblemDetailNeverA5xx(RestCase request) {
        ApiClient.Answer answer = api.get(request.path());

        assertThat(answer.status()).as("%s -> %s", request, answer.body()).isLessThan(500);
        if (!request.mustRefuse() && answer.status() == 200) {
            assertThat(answer.body().get("view")).as("a legal but odd input is answered: %s", request).isNotNull();
            return;
        }
        assertThat(answer.status()).as("%s -> %s", request, answer.body()).isBetween(400, 499);
        if (request.path().length() > 8_000 || CONTAINER_REJECTS.matcher(request.path()).find()) {
            // Tomcat answers these 400 itself, before any filter: the request-line limit
            // (max-http-request-header-size, 8 KiB) and encoded '/', '\\', NUL or malformed UTF-8 in the
            // path; malformed UTF-8 in the query string reaches QueryProblems and is a problem detail
            assertThat(answer.status()).as(request.toString()).isEqualTo(400);
            return;
        }
        assertThat(answer.contentType()).as(request.toString()).startsWith("application/problem+json");
        assertThat(answer.body().get("status").asInt()).isEqualTo(answer.status());
        assertThat(answer.body().get("detail").asString()).isNotBlank();
    }

    /** One GraphQL request of the corpus: the HTTP content type and body as sent. */
    record GraphqlCase(String what, String contentType, String body, boolean mustRefuse) {
        @Override
        public String toString() {
            return what.length() > 90 ? what.substring(0, 90) + "…" : what;
        }
    }

    static Stream<GraphqlCase> graphqlCorpus() {
        Random random = new Random(SEED);
        String valid = ApiClient.document("seriesTotal");
        Map<String, Object> goodVariables = Map.of("view", "pageviews", "key", "/home", "from", FROM, "to", TO,
                "granularity", "HOUR");
        List<GraphqlCase> cases = new ArrayList<>();
        // every 4th prefix of a valid document: unterminated strings, selections, argument lists
        for (int end = 1; end < valid.strip().length() - 1; end += 4) {
            cases.add(graphql("prefix of " + end + " chars", valid.substring(0, end), goodVariables));
        }
        // single-character corruptions of the valid document
        String noise = "{}()[]!$:@#\"\\\u0000\n,.=|&";
        for (int i = 0; i < 30; i++) {
            int at = random.nextInt(valid.length());
            char with = noise.charAt(random.nextInt(noise.length()));
            // a corruption may leave a legal document (e.g. a comma or a newline between tokens)
            cases.add(graphql("'" + printable(String.valueOf(with)) + "' at " + at,
                    valid.substring(0, at) + with + valid.substring(at + 1), goodVariables, false));
        }
        for (String document : List.of("", " ", "{", "}", "{}", "query", "query {", "mutation { x }", "subscription { x }",
                "{ nothing }", "{ series }", "{ views { nope } }", "{ views { name(arg: 1) } }", "{ __typename @skip }",
                "{ views { ...F } }", "fragment F on View { name ...F } { views { ...F } }",
                "query a { views { name } } query a { views { name } }", "{ views { name } } { views { name } }",
                "\"\"\"unterminated", "{ top(view: \"revenue\", from: 1.5, to: -2) { view } }",
                "{ top(view: \"revenue\", from: \"" + FROM + "\", to: \"" + TO + "\", limit: 99999999999) { view } }",
                "{ series(view: \"pageviews\", key: \"\\u0000\", from: \"" + FROM + "\", to: \"" + TO
                        + "\", granularity: WEEK) { total } }",
                "query($v: Nope) { views { name } }", "query($v: String!) { views { name } }")) {
            cases.add(graphql("document " + printable(document), document, Map.of()));
        }
        // deep and huge documents
        for (int depth : new int[] {11, 50, 400, 3_000}) {
            cases.add(graphql("selection depth " + depth, "{ views " + "{ name ".repeat(depth) + "}".repeat(depth + 1),
                    Map.of()));
            cases.add(graphql("nesting of lists " + depth, "{ top(view: \"revenue\", from: \"" + FROM + "\", to: \"" + TO
                    + "\", limit: " + "[".repeat(depth) + "1" + "]".repeat(depth) + ") { view } }", Map.of()));
        }
        cases.add(graphql("10 000 aliases", "{ " + java.util.stream.IntStream.range(0, 10_000)
                .mapToObj(i -> "a" + i + ": __typename").collect(Collectors.joining(" ")) + " }", Map.of()));
        cases.add(graphql("a 1 MiB document", "{ views { name } }" + " ".repeat(1 << 20), Map.of()));
        cases.add(graphql("a 70 000-character key, over Cassandra's 64 KiB partition key", valid,
                Map.of("view", "pageviews", "key", "k".repeat(70_000), "from", FROM, "to", TO, "granularity", "HOUR")));
        cases.add(graphql("a 100 000-character string argument", "{ top(view: \"" + "v".repeat(100_000) + "\", from: \""
                + FROM + "\", to: \"" + TO + "\") { view } }", Map.of()));
        // ill-typed variables
        List<Object> badValues = new ArrayList<>(List.of(123, -1, 1.5e308, true, List.of(), List.of(1, 2), Map.of("a", 1),
                "", "yesterday", "WEEK", "hour", "\u0000", "x".repeat(50_000)));
        for (String variable : goodVariables.keySet()) {
            for (Object bad : badValues) {
                Map<String, Object> variables = new LinkedHashMap<>(goodVariables);
                variables.put(variable, bad);
                // any string is a legal key
                boolean legal = variable.equals("key") && bad instanceof String;
                cases.add(graphql("$" + variable + " = " + printable(String.valueOf(bad)), valid, variables, !legal));
            }
        }
        String topDocument = ApiClient.document("top");
        for (Object limit : List.of(0, -1, 2_147_483_648L, "ten", 1.5, List.of(10))) {
            cases.add(graphql("$limit = " + limit, topDocument,
                    Map.of("view", "revenue", "from", FROM, "to", TO, "limit", limit)));
        }
        // requests that are not GraphQL requests at all
        for (String body : List.of("", "not json", "[]", "[{\"query\": \"{ views { name } }\"}]", "{}", "{\"query\": null}",
                "{\"query\": 5}", "{\"query\": [\"{ views { name } }\"]}", "{\"query\": \"{ views { name } }\", \"variables\": [1]}",
                "{\"query\": \"{ views { name } }\", \"variables\": \"x\"}", "{\"query\": \"{ views { name } }\", \"operationName\": 5}",
                "{\"query\": \"{ views { name } }\", \"operationName\": \"nope\"}", "{\"query\": \"{ views { name } }\"",
                "{\"query\": \"" + "\\u0000".repeat(10) + "\"}", "[".repeat(5_000) + "]".repeat(5_000),
                "{\"query\": " + "{\"a\":".repeat(2_000) + "1" + "}".repeat(2_001))) {
            cases.add(new GraphqlCase("body " + printable(body), "application/json", body, true));
        }
        cases.add(new GraphqlCase("text/plain body", "text/plain", "{ views { name } }", true));
        cases.add(new GraphqlCase("form body", "application/x-www-form-urlencoded", "query=%7B+views+%7B+name+%7D+%7D", true));
        for (String date : List.of("+999999999-12-31T23:59:59Z", "-999999999-01-01T00:00:00Z", "10000-01-01T00:00:00Z")) {
            cases.add(graphql("$from = " + date, valid, Map.of("view", "pageviews", "key", "/home", "from", date, "to", TO,
                    "granularity", "HOUR")));
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("graphqlCorpus")
    void malformedGraphqlIsAGraphqlErrorOrA4xxNeverA5xx(GraphqlCase request) {
        ApiClient.Answer answer = api.postGraphql(request.contentType(), request.body());

        assertThat(answer.status()).as("%s -> %s", request, answer.body()).isLessThan(500);
        if (answer.status() == 200) {
            JsonNode errors = answer.body().get("errors");
            if (!request.mustRefuse() && errors == null) {
                assertThat(answer.body().get("data")).as("a legal document is answered: %s", request).isNotNull();
                return;
            }
            assertThat(errors).as("%s -> %s", request, answer.body()).isNotNull();
            assertThat(errors.isArray() && !errors.isEmpty()).as("errors of %s", request).isTrue();
            assertThat(errors.get(0).get("message").asString()).isNotBlank();
        } else {
            assertThat(answer.status()).as(request.toString()).isBetween(400, 499);
            if (!request.contentType().equals("application/json")) {
                // Spring for GraphQL's route answers a body of another type 415 with no body of its own
                assertThat(answer.status()).as(request.toString()).isEqualTo(415);
                return;
            }
            assertThat(answer.contentType()).as("%s -> %s %s", request, answer.status(), answer.body())
                    .startsWith("application/problem+json");
        }
    }

    @Test
    void theCorpusHasAtLeast200MalformedInputsOfEachKind() {
        assertThat(restCorpus().count()).isGreaterThanOrEqualTo(200);
        assertThat(graphqlCorpus().count()).isGreaterThanOrEqualTo(200);
    }

    private static RestCase series(String what, String view, Map<String, String> parameters) {
        return series(what, view, parameters, true);
    }

    private static RestCase series(String what, String view, Map<String, String> parameters, boolean mustRefuse) {
        return new RestCase("series " + what, "/api/v1/views/" + encode(view) + "/series?" + query(parameters), mustRefuse);
    }

    private static RestCase top(String what, String view, Map<String, String> parameters) {
        return top(what, view, parameters, true);
    }

    private static RestCase top(String what, String view, Map<String, String> parameters, boolean mustRefuse) {
        return new RestCase("top " + what, "/api/v1/views/" + encode(view) + "/top?" + query(parameters), mustRefuse);
    }

    private static RestCase keys(String what, String view, Map<String, String> parameters) {
        return keys(what, view, parameters, true);
    }

    private static RestCase keys(String what, String view, Map<String, String> parameters, boolean mustRefuse) {
        return new RestCase("keys " + what, "/api/v1/views/" + encode(view) + "/keys?" + query(parameters), mustRefuse);
    }

    private static GraphqlCase graphql(String what, String document, Map<String, Object> variables) {
        return graphql(what, document, variables, true);
    }

    private static GraphqlCase graphql(String what, String document, Map<String, Object> variables, boolean mustRefuse) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("query", document);
        body.put("variables", variables);
        return new GraphqlCase(what, "application/json", JSON.writeValueAsString(body), mustRefuse);
    }

    private static String query(Map<String, String> parameters) {
        return parameters.entrySet().stream().map(p -> p.getKey() + "=" + encode(p.getValue()))
                .collect(Collectors.joining("&"));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }

    /** A test name without control characters or thousands of repeats. */
    private static String printable(String value) {
        String escaped = value.chars().mapToObj(c -> c < 0x20 || c == 0x7f ? String.format("\\u%04x", c)
                : String.valueOf((char) c)).collect(Collectors.joining());
        return "'" + (escaped.length() > 40 ? escaped.substring(0, 40) + "…(" + value.length() + ")" : escaped) + "'";
    }
}
