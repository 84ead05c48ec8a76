package io.lambda.localservers;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The benchmarks' HTTP client against the JDK's HTTP server on loopback. */
class LoopbackHttpClientTests {

    private HttpServer server;
    private final List<Integer> clientPorts = new CopyOnWriteArrayList<>();
    private final Set<String> apiKeysSeen = ConcurrentHashMap.newKeySet();

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/fixed", exchange -> {
            clientPorts.add(exchange.getRemoteAddress().getPort());
            apiKeysSeen.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-API-Key")));
            byte[] body = ("fixed " + exchange.getRequestURI().getQuery()).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/chunked", exchange -> {
            exchange.sendResponseHeaders(200, 0); // length unknown: the JDK server sends chunks
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 3; i++) {
                    out.write(("part" + i + "-").repeat(2000).getBytes(StandardCharsets.UTF_8));
                    out.flush();
                }
            }
        });
        server.createContext("/echo", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            String type = exchange.getRequestHeaders().getFirst("Content-Type");
            byte[] answer = (type + " " + new String(body, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(202, answer.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(answer);
            }
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void answersByLengthOnOneKeptConnectionPerThread() {
        try (LoopbackHttpClient client = new LoopbackHttpClient(server.getAddress().getPort(), 2)) {
            for (int i = 0; i < 5; i++) {
                LoopbackHttpClient.Response response = client.exchange(client.get("/fixed?n=" + i, "X-API-Key", "k1"));
                assertThat(response.status()).isEqualTo(200);
                assertThat(response.body()).isEqualTo("fixed n=" + i);
            }
            assertThat(clientPorts).hasSize(5).containsOnly(clientPorts.get(0));
            assertThat(apiKeysSeen).containsExactly("k1");
        }
    }

    @Test
    void readsChunkedAnswersWhole() {
        try (LoopbackHttpClient client = new LoopbackHttpClient(server.getAddress().getPort(), 2)) {
            String expected = IntStream.range(0, 3).mapToObj(i -> ("part" + i + "-").repeat(2000))
                    .reduce("", String::concat);
            for (int i = 0; i < 2; i++) { // twice on the same connection: the chunked answer was read to its end
                assertThat(client.exchange(client.get("/chunked", "Accept", "*/*")).body()).isEqualTo(expected);
            }
        }
    }

    @Test
    void postsJsonAndAnswersOnItsWorkers() {
        try (LoopbackHttpClient client = new LoopbackHttpClient(server.getAddress().getPort(), 3)) {
            byte[] request = client.postJson("/echo", "{\"é\":1}", "X-API-Key", "k2");
            List<LoopbackHttpClient.Response> responses = IntStream.range(0, 20)
                    .mapToObj(i -> client.send(request)).toList().stream().map(f -> f.join()).toList();
            assertThat(responses).allSatisfy(response -> {
                assertThat(response.status()).isEqualTo(202);
                assertThat(response.body()).isEqualTo("application/json {\"é\":1}");
            });
        }
    }
}
