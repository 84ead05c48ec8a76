package io.lambda.security.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.lambda.security.Scope;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import org.assertj.core.api.SoftAssertions;
import org.springframework.context.ApplicationContext;
import org.springframework.http.HttpMethod;
import org.springframework.test.web.servlet.assertj.MockMvcTester;
import org.springframework.test.web.servlet.assertj.MvcTestResult;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.RequestMappingInfoHandlerMapping;

/**
 * Every HTTP route a running context maps (all request-mapping handler mappings, actuator's
 * included), and the check each service's route-inventory test makes of them: 401 without a
 * credential, 403 with a key of every other scope. Shared through lambda-security's test jar.
 */
public final class RouteInventory {

    /** One route; path variables are filled with a sample value. */
    public record Route(HttpMethod method, String path) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    private RouteInventory() {
    }

    public static List<Route> routes(ApplicationContext context) {
        Set<Route> routes = new TreeSet<>(Comparator.comparing(Route::toString));
        for (RequestMappingInfoHandlerMapping mapping : context.getBeansOfType(RequestMappingInfoHandlerMapping.class)
                .values()) {
            for (RequestMappingInfo info : mapping.getHandlerMethods().keySet()) {
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (String pattern : info.getPatternValues()) {
                    String path = pattern.replaceAll("\\{[^}]*}", "1");
                    if (methods.isEmpty()) {
                        routes.add(new Route(HttpMethod.GET, path));
                    }
                    methods.forEach(method -> routes.add(new Route(HttpMethod.valueOf(method.name()), path)));
                }
            }
        }
        return new ArrayList<>(routes);
    }

    /**
     * Asserts that each route answers 401 problem details without a credential and 403 with the key
     * of each scope other than the one {@code requiredScope} names (null: a credential of any scope,
     * as for Boot's /error).
     */
    public static void assertLockedDown(MockMvcTester mvc, List<Route> routes, Function<Route, Scope> requiredScope,
                                        Map<Scope, String> keyPerScope) {
        assertThat(routes).as("the inventory found routes").isNotEmpty();
        SoftAssertions softly = new SoftAssertions();
        for (Route route : routes) {
            MvcTestResult anonymous = mvc.method(route.method()).uri(route.path()).exchange();
            softly.assertThat(anonymous.getResponse().getStatus()).as("%s without a credential", route).isEqualTo(401);
            softly.assertThat(anonymous.getResponse().getContentType()).as("%s content type", route)
                    .isEqualTo("application/problem+json");
            softly.assertThat(anonymous.getResponse().getHeader("WWW-Authenticate")).as("%s challenge", route).isNotNull();
            Scope needed = requiredScope.apply(route);
            keyPerScope.forEach((scope, key) -> {
                if (needed != null && scope != needed) {
                    int status = mvc.method(route.method()).uri(route.path()).header("X-API-Key", key).exchange()
                            .getResponse().getStatus();
                    softly.assertThat(status).as("%s with a %s key", route, scope.id()).isEqualTo(403);
                }
            });
        }
        softly.assertAll();
    }
}
