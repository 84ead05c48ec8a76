package io.lambda.systemtests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import io.lambda.core.event.Event;
import io.lambda.localservers.ProjectHome;
import io.lambda.localservers.RealServers;
import io.lambda.localservers.StackLayout;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.awaitility.core.ConditionFactory;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import tools.jackson.databind.JsonNode;

/**
 * query-service's built-in dashboard in a real browser (Debian's chromium, driven through its
 * chromedriver) against the whole stack as processes: the page and its assets load without a key,
 * a wrong key brings the sign-in back with a message, the chart draws exactly the REST series of
 * the view, key and granularity picked in the page, the top table is the REST top list, the
 * provenance follows a batch publish, and an answer that misses a layer is flagged partial.
 *
 * <p>Its own layout ({@code dashboard}: services on 27080-27083) on the shared test Kafka and
 * Cassandra, with a keyspace and topic of its own, so it runs beside the other system tests.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class) // one session in one browser, step by step
class DashboardBrowserIntegrationTests {

    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration ANSWER = Duration.ofSeconds(30);
    private static final List<String> URLS = List.of("/home", "/pricing", "/docs", "/blog", "/signup");
    private static final List<String> COUNTRIES = List.of("DE", "FR", "US");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static RunningStack stack;
    private static LambdaClient client;
    private static ChromeDriver browser;
    private static Path profile;
    /** Pageviews per URL, all within the last hour: what the page's "last hour" range must show. */
    private static final Map<String, Integer> pageviews = new TreeMap<>();
    private static Instant lastIngest;

    @BeforeAll
    static void startStackAndBrowser() throws Exception {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("chromium and chromedriver are not installed (Debian's chromium and chromium-driver packages; "
                    + ".ci/run installs them when missing)");
        }
        ProjectHome home = ProjectHome.locate();
        RealServers servers = RealServers.get();
        Map<String, Integer> ports = new LinkedHashMap<>();
        ports.put("ingest-service", 27081);
        ports.put("speed-service", 27082);
        ports.put("batch-service", 27083);
        ports.put("query-service", 27080);
        StackLayout layout = new StackLayout("dashboard", home.stateDir().resolve("dashboard"),
                port(servers.kafkaBootstrapServers()), 0, servers.cassandraPort(), 0, ports);
        // the services' defaults: the dashboard's open paths are what a user's query-service has
        stack = RunningStack.onSharedServers(Duration.ofSeconds(10), layout, Map.of());
        client = new LambdaClient(stack);
        try {
            browser = startBrowser();
        } catch (RuntimeException | IOException e) {
            stopAll();
            throw e;
        }
    }

    /**
     * Waits for the page: it re-renders its panels on every refresh, so an element found a moment ago
     * can be replaced before it is read (StaleElementReferenceException); that is a reason to look again,
     * not a failure.
     */
    private static ConditionFactory untilTheDashboardShows() {
        return await().atMost(ANSWER).ignoreException(StaleElementReferenceException.class);
    }

    private static int port(String hostAndPort) {
        return Integer.parseInt(hostAndPort.substring(hostAndPort.lastIndexOf(':') + 1));
    }

    /**
     * The Debian binaries, named explicitly: with the driver's path given to the service, Selenium
     * never runs Selenium Manager (which would try to download a driver or a browser).
     */
    private static ChromeDriver startBrowser() throws IOException {
        profile = Files.createTempDirectory("lambda-dashboard-chromium");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--user-data-dir=" + profile, "--window-size=1400,1000", "--lang=en-US");
        return new ChromeDriver(service, options);
    }

    @AfterAll
    static void stopAll() throws IOException {
        if (browser != null) {
            browser.quit();
        }
        if (stack != null) {
            stack.close();
        }
        if (profile != null) {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            }
        }
    }

    @Test
    @Order(1)
    void thePageIsPublicAndAWrongKeyBringsTheSignInBackWithAMessage() throws Exception {
        for (String asset : List.of("/", "/dashboard/app.js", "/webjars/uplot/dist/uPlot.esm.js")) {
            assertThat(statusWithoutKey(asset)).as(asset).isEqualTo(200);
        }
        assertThat(statusWithoutKey("/api/v1/views")).as("the API stays behind the key").isEqualTo(401);

        browser.get(stack.url("query-service", "/"));
        awaitShown("sign-in-panel");
        signIn("lk_not-a-key-of-this-stack");
        untilTheDashboardShows().untilAsserted(() -> assertThat(testId("sign-in-message").getText())
                .contains("not accepted").contains("401"));
        assertThat(testId("sign-in-panel").isDisplayed()).isTrue();
        assertThat(testId("dashboard").isDisplayed()).isFalse();
    }

    @Test
    @Order(2)
    void theChartDrawsTheRestSeriesOfTheChosenViewKeyAndGranularity() throws Exception {
        ingestKnownEvents();
        // every pageview is in the speed layer before the browser looks
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (var expected : pageviews.entrySet()) {
                assertThat(hourTotal(expected.getKey())).as(expected.getKey()).isEqualTo(expected.getValue());
            }
        });

        signIn(stack.apiKey());
        awaitShown("dashboard");
        new Select(testId("view")).selectByValue("pageviews");
        new Select(testId("range")).selectByValue(String.valueOf(Duration.ofHours(1).toMillis()));
        new Select(testId("granularity")).selectByValue("minute");
        // until a key is chosen the chart shows the view's top key
        String topKey = pageviews.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        untilTheDashboardShows().until(() -> dataset("series-chart"), drawn -> topKey.equals(drawn.get("key"))
                && "minute".equals(drawn.get("granularity")));
        assertThat(testId("key").getDomProperty("value")).isEqualTo(topKey);
        // the key input searches the keys listing: a prefix offers the matching keys
        WebElement key = testId("key");
        key.clear();
        key.sendKeys("/pr");
        untilTheDashboardShows().untilAsserted(() -> assertThat(keyOptions()).contains("/pricing")
                .doesNotContain("/home"));
        key.sendKeys("icing", Keys.ENTER);

        Map<String, String> chart = untilTheDashboardShows().until(() -> dataset("series-chart"),
                drawn -> "/pricing".equals(drawn.get("key")) && "minute".equals(drawn.get("granularity"))
                        && total(drawn.get("points")) == pageviews.get("/pricing"));
        JsonNode rest = restSeries("pageviews", "/pricing", chart.get("from"), chart.get("to"), "minute");
        assertThat(points(LambdaClient.JSON.readTree(chart.get("points")))).isEqualTo(points(rest.get("points")));
        assertThat(rest.get("points").size()).as("an hour of minutes and the current one").isEqualTo(61);

        Map<String, String> top = dataset("top-table");
        JsonNode restTop = restTop("pageviews", top.get("from"), top.get("to"), top.get("granularity"));
        assertThat(topRows()).isEqualTo(items(restTop));
        assertThat(topRows()).containsEntry("/home", (double) pageviews.get("/home"));

        assertThat(testId("series-batch-version").getText()).contains("none published yet");
        assertThat(testId("series-partial").isDisplayed()).isFalse();
        assertThat(testId("fresh-speed-lag").getText()).matches("\\d+ (s|min).*");
    }

    @Test
    @Order(3)
    void theProvenanceShowsTheBatchVersionOnceOneIsPublished() throws Exception {
        client.batchRunPast(lastIngest, "full");
        HttpResponse<String> freshness = client.get(stack.url("query-service", "/api/v1/freshness"));
        String version = LambdaClient.JSON.readTree(freshness.body()).get("batchVersion").asString();
        assertThat(version).as(freshness.body()).matches("[1-9]\\d*");
        untilTheDashboardShows().untilAsserted(() -> {
            assertThat(testId("series-batch-version").getText()).isEqualTo(version);
            assertThat(testId("top-batch-version").getText()).isEqualTo(version);
            assertThat(testId("fresh-batch-version").getText()).isEqualTo(version);
        });
        Map<String, String> chart = dataset("series-chart");
        JsonNode rest = restSeries("pageviews", "/pricing", chart.get("from"), chart.get("to"), "minute");
        assertThat(rest.at("/provenance/batchVersion").asString()).isEqualTo(version);
        assertThat(points(LambdaClient.JSON.readTree(chart.get("points")))).isEqualTo(points(rest.get("points")));
        screenshot();
    }

    @Test
    @Order(4)
    void anAnswerMissingALayerIsFlaggedPartialWithItsWarning() throws Exception {
        // the speed layer's tables lost (as DegradedModeIntegrationTests does in query-service): the
        // catalog and the batch version are still readable, so the answers are the batch part, flagged
        RealServers servers = RealServers.get();
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(new InetSocketAddress(servers.cassandraHost(), servers.cassandraPort()))
                .withLocalDatacenter(servers.cassandraDatacenter())
                // a schema change on the shared, busy test server can take longer than the driver's 2 s
                .withConfigLoader(DriverConfigLoader.programmaticBuilder()
                        .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, Duration.ofSeconds(30)).build())
                .build()) {
            session.execute("DROP TABLE " + stack.runId + ".speed_cells");
            session.execute("DROP TABLE " + stack.runId + ".speed_cells_by_bucket");
        }
        untilTheDashboardShows().untilAsserted(() -> {
            assertThat(testId("series-partial").isDisplayed()).isTrue();
            assertThat(testId("series-partial").getText()).contains("Partial answer").contains("speed layer unreadable");
            assertThat(testId("top-partial").getText()).contains("Partial answer").contains("speed layer unreadable");
            assertThat(testId("series-complete").getText()).isEqualTo("no: partial answer");
        });
        assertThat(testId("series-partial").getAttribute("role")).isEqualTo("alert");
        // the flag is the service's: REST says partial for the range the chart shows
        Map<String, String> chart = dataset("series-chart");
        JsonNode rest = restSeries("pageviews", "/pricing", chart.get("from"), chart.get("to"), "minute");
        assertThat(rest.at("/provenance/partial").asBoolean()).isTrue();
    }

    // ---- the stack ------------------------------------------------------------------------------

    /** Pageviews over five URLs and purchases over three countries, spread over the last 50 minutes. */
    private static void ingestKnownEvents() throws Exception {
        Random random = new Random(21);
        Instant now = Instant.now();
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            // skewed popularity, as real traffic is: /home most, /signup least
            String url = URLS.get(Math.min(URLS.size() - 1, (int) Math.abs(random.nextGaussian() * 1.6)));
            pageviews.merge(url, 1, Integer::sum);
            Instant at = now.minusMillis(random.nextLong(Duration.ofMinutes(50).toMillis()));
            events.add(new Event("dash-pv-" + i, "pageview", at, Map.of("url", url, "userId", "u" + random.nextInt(60))));
        }
        for (int i = 0; i < 60; i++) {
            Instant at = now.minusMillis(random.nextLong(Duration.ofMinutes(50).toMillis()));
            events.add(new Event("dash-buy-" + i, "purchase", at, Map.of("country", COUNTRIES.get(random.nextInt(3)),
                    "amount", Math.round(random.nextDouble(5, 120) * 100) / 100.0)));
        }
        client.ingest(events, 100);
        lastIngest = Instant.now();
    }

    private static int hourTotal(String url) throws Exception {
        Instant to = Instant.now().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        JsonNode series = restSeries("pageviews", url, to.minus(Duration.ofHours(2)).toString(), to.toString(), "hour");
        return series.get("total").asInt();
    }

    private static JsonNode restSeries(String view, String key, String from, String to, String granularity)
            throws Exception {
        HttpResponse<String> response = client.get(stack.url("query-service", "/api/v1/views/" + view
                + "/series?key=" + URLEncoder.encode(key, StandardCharsets.UTF_8) + "&from=" + from + "&to=" + to
                + "&granularity=" + granularity));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return LambdaClient.JSON.readTree(response.body());
    }

    private static JsonNode restTop(String view, String from, String to, String granularity) throws Exception {
        HttpResponse<String> response = client.get(stack.url("query-service", "/api/v1/views/" + view
                + "/top?from=" + from + "&to=" + to + "&granularity=" + granularity + "&limit=10"));
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return LambdaClient.JSON.readTree(response.body());
    }

    private static int statusWithoutKey(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create(stack.url("query-service", path)))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    // ---- the page -------------------------------------------------------------------------------

    private static WebElement testId(String id) {
        return browser.findElement(By.cssSelector("[data-testid='" + id + "']"));
    }

    private static void awaitShown(String id) {
        untilTheDashboardShows().ignoreExceptions().until(() -> testId(id).isDisplayed());
    }

    private static void signIn(String key) {
        awaitShown("sign-in-panel");
        WebElement input = browser.findElement(By.id("api-key"));
        input.clear();
        input.sendKeys(key, Keys.ENTER);
    }

    /** An element's data-* attributes, read at one instant (the page redraws every 2 s). */
    @SuppressWarnings("unchecked")
    private static Map<String, String> dataset(String id) {
        return (Map<String, String>) ((JavascriptExecutor) browser).executeScript(
                "return Object.assign({}, document.querySelector(\"[data-testid='\" + arguments[0] + \"']\").dataset);", id);
    }

    @SuppressWarnings("unchecked")
    private static List<String> keyOptions() {
        return (List<String>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.getElementById('key-options').options].map(o => o.value);");
    }

    /** The top table's rows as key → value, in the table's order. */
    @SuppressWarnings("unchecked")
    private static Map<String, Double> topRows() {
        List<List<String>> rows = (List<List<String>>) ((JavascriptExecutor) browser).executeScript(
                "return [...document.querySelectorAll('#top-table tbody tr')].map(r => [r.dataset.key, r.dataset.value]);");
        Map<String, Double> items = new LinkedHashMap<>();
        rows.forEach(row -> items.put(row.get(0), Double.valueOf(row.get(1))));
        return items;
    }

    private static Map<String, Double> items(JsonNode top) {
        Map<String, Double> items = new LinkedHashMap<>();
        top.get("items").forEach(item -> items.put(item.get("key").asString(), item.get("value").asDouble()));
        return items;
    }

    /** Points as bucket start → value (null for an empty min or max bucket), in order. */
    private static Map<Instant, Double> points(JsonNode points) {
        Map<Instant, Double> byStart = new LinkedHashMap<>();
        points.forEach(point -> byStart.put(Instant.parse(point.get("start").asString()),
                point.get("value").isNull() ? null : point.get("value").asDouble()));
        return byStart;
    }

    private static long total(String points) {
        long total = 0;
        for (JsonNode point : LambdaClient.JSON.readTree(points)) {
            total += point.get("value").asLong();
        }
        return total;
    }

    /** What docs/img/dashboard.png shows: this page with this test's data (copied there by hand when the page changes). */
    private static void screenshot() throws IOException {
        Path png = Path.of("target", "dashboard.png");
        Files.createDirectories(png.getParent());
        Files.copy(((TakesScreenshot) browser).getScreenshotAs(OutputType.FILE).toPath(), png,
                StandardCopyOption.REPLACE_EXISTING);
    }
}
