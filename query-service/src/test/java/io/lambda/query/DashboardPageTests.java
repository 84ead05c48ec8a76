package io.lambda.query;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.query.freshness.FreshnessQuery;
import io.lambda.query.system.QueryMetrics;
import io.lambda.query.view.ViewQueries;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.assertj.MockMvcTester;

/**
 * The built-in dashboard with the default configuration: its page, scripts and chart library load
 * without a key (lambda.security.open-paths), while the API the page calls still needs one.
 * DashboardBrowserIntegrationTests in system-tests runs the page itself in a browser.
 */
@WebMvcTest
class DashboardPageTests {

    @Autowired
    MockMvcTester mvc;

    @MockitoBean
    ViewQueries queries;

    @MockitoBean
    FreshnessQuery freshness;

    @MockitoBean
    QueryMetrics metrics;

    @Test
    void theRootIsTheDashboardPageWithoutAKey() {
        // Spring MVC's welcome page forwards / to index.html; MockMvc reports the forward
        assertThat(mvc.get().uri("/")).hasStatusOk().hasForwardedUrl("index.html");
        assertThat(mvc.get().uri("/index.html")).hasStatusOk()
                .hasContentTypeCompatibleWith(MediaType.TEXT_HTML)
                .bodyText().contains("id=\"sign-in\"", "X-API-Key", "dashboard/app.js");
    }

    @Test
    void theScriptsAndTheChartLibraryLoadWithoutAKeyFromTheJar() {
        for (String script : new String[] {"/dashboard/app.js", "/dashboard/api.js", "/dashboard/chart.js",
                "/dashboard/time.js"}) {
            assertThat(mvc.get().uri(script)).as(script).hasStatusOk().bodyText().containsAnyOf("export", "import")
                    .doesNotContain("http://", "https://"); // no CDN: everything comes from this service
        }
        assertThat(mvc.get().uri("/dashboard/dashboard.css")).hasStatusOk();
        // the webjar without its version in the path (webjars-locator-lite), as the page asks for it
        assertThat(mvc.get().uri("/webjars/uplot/dist/uPlot.esm.js")).hasStatusOk().bodyText().contains("export");
        assertThat(mvc.get().uri("/webjars/uplot/dist/uPlot.min.css")).hasStatusOk();
    }

    @Test
    void theApiThePageCallsStillNeedsAKey() {
        for (String api : new String[] {"/api/v1/views", "/api/v1/views/pageviews/keys", "/api/v1/freshness"}) {
            assertThat(mvc.get().uri(api)).as(api).hasStatus(HttpStatus.UNAUTHORIZED);
        }
        // only the uPlot webjar is opened, not every webjar on the classpath
        assertThat(mvc.get().uri("/webjars/swagger-ui/index.html")).hasStatus(HttpStatus.UNAUTHORIZED);
    }
}
