package io.lambda.localservers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
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

    @Test
    void sendsAgainOnANewConnectionWhenTheServerClosedAnIdleOne() throws Exception {
        // like Tomcat after its keep-alive timeout: an answer, then the connection is closed unannounced
        try (OneAnswerServer oneAnswer = new OneAnswerServer("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
             LoopbackHttpClient client = new LoopbackHttpClient(oneAnswer.port(), 1)) {
            for (int i = 0; i < 3; i++) {
                assertThat(client.exchange(client.get("/", "Accept", "*/*")).body()).isEqualTo("ok");
            }
            assertThat(oneAnswer.connections.get()).isEqualTo(3);
        }
    }

    @Test
    void doesNotSendAgainWhenTheAnswerWasCutOff() throws Exception {
        // a server that dies mid-answer may have taken the request: that is an error, not a stale connection
        try (OneAnswerServer cutOff = new OneAnswerServer("HTTP/1.1 2");
             LoopbackHttpClient client = new LoopbackHttpClient(cutOff.port(), 1)) {
            assertThatThrownBy(() -> client.exchange(client.get("/", "Accept", "*/*")))
                    .isInstanceOf(UncheckedIOException.class).hasMessageContaining("mid-answer");
            assertThat(cutOff.connections.get()).isEqualTo(1);
        }
    }

    /** Reads one request per connection, writes {@code answer} and closes the connection. */
    private static final class OneAnswerServer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        private final AtomicInteger connections = new AtomicInteger();
        private final Thread thread;

        OneAnswerServer(String answer) throws IOException {
            thread = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket connection = socket.accept()) {
                        connections.incrementAndGet();
                        InputStream in = connection.getInputStream();
                        int matched = 0; // of the CRLF CRLF that ends the request head
                        while (matched < 4) {
                            int b = in.read();
                            if (b < 0) {
                                break;
                            }
                            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
                        }
                        connection.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        // closed by the test
                    }
                }
            });
            thread.setDaemon(true);
            thread.start();
        }

        int port() {
            return socket.getLocalPort();
        }

        @Override
        public void close() throws Exception {
            socket.close();
            thread.join(5_000);
        }
    }
}
