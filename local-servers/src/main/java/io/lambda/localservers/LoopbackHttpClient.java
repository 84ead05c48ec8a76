package io.lambda.localservers;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The benchmarks' HTTP/1.1 load generator client: one persistent loopback connection per thread,
 * requests prepared once as bytes, answers read by {@code Content-Length} or chunks. Why not
 * {@code java.net.http.HttpClient}: on the benchmarks' two cores it cost 1.0–1.2 ms of CPU per
 * request, more than the service it measured; this costs about a tenth of that, and the service, the
 * broker and Cassandra get the difference back.
 *
 * <p>{@link #exchange} runs on the calling thread (closed loops, paced workers); {@link #send} on a
 * fixed set of worker threads (open loops). A request sent while all workers are busy waits for one;
 * the benchmarks time requests from when they were due, so such waiting is measured, not hidden.
 */
public final class LoopbackHttpClient implements AutoCloseable {

    /** An answer: status and body. */
    public record Response(int status, String body) {
    }

    private final InetSocketAddress address;
    private final ExecutorService workers;
    private final ThreadLocal<Connection> connections = new ThreadLocal<>();
    private final List<Connection> opened = new ArrayList<>();

    /** A client of {@code 127.0.0.1:port}; {@code workers} threads (and connections) for {@link #send}. */
    public LoopbackHttpClient(int port, int workers) {
        this.address = new InetSocketAddress("127.0.0.1", port);
        this.workers = Executors.newFixedThreadPool(workers, runnable -> {
            Thread thread = new Thread(runnable, "load-generator-http");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** A GET request, as bytes. */
    public byte[] get(String pathAndQuery, String headerName, String headerValue) {
        return (("GET " + pathAndQuery + " HTTP/1.1\r\nHost: " + host() + "\r\n" + headerName + ": " + headerValue
                + "\r\n\r\n")).getBytes(StandardCharsets.US_ASCII);
    }

    /** A POST request with a JSON body, as bytes. */
    public byte[] postJson(String path, String json, String headerName, String headerValue) {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: " + host() + "\r\n" + headerName + ": " + headerValue
                + "\r\nContent-Type: application/json\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] request = new byte[head.length + body.length];
        System.arraycopy(head, 0, request, 0, head.length);
        System.arraycopy(body, 0, request, head.length, body.length);
        return request;
    }

    private String host() {
        return "127.0.0.1:" + address.getPort();
    }

    /** Sends {@code request} on the next free worker's connection. */
    public CompletableFuture<Response> send(byte[] request) {
        return CompletableFuture.supplyAsync(() -> exchange(request), workers);
    }

    /**
     * Sends {@code request} on this thread's connection (opened on first use) and waits for the answer.
     * A connection that has been idle may have been closed by the server (Tomcat's keep-alive timeout):
     * if one that answered before is found closed before any byte of the answer, the request was never
     * taken, and it is sent once more on a new connection, as HTTP clients do.
     */
    public Response exchange(byte[] request) {
        try {
            return exchangeOnce(request);
        } catch (StaleConnectionException e) {
            return exchangeOnce(request);
        }
    }

    private Response exchangeOnce(byte[] request) {
        Connection connection = connections.get();
        try {
            if (connection == null) {
                connection = new Connection(address);
                connections.set(connection);
                synchronized (opened) {
                    opened.add(connection);
                }
            }
            Response response = connection.exchange(request);
            if (connection.closedByServer) {
                connection.close();
                connections.remove();
            }
            return response;
        } catch (IOException e) {
            boolean stale = connection != null && connection.answers > 0 && !connection.answerStarted;
            if (connection != null) {
                connection.close();
                connections.remove();
            }
            throw stale ? new StaleConnectionException(e) : new UncheckedIOException(e);
        }
    }

    /** A kept-alive connection the server had closed before this request: nothing of it was answered. */
    private static final class StaleConnectionException extends UncheckedIOException {
        StaleConnectionException(IOException cause) {
            super(cause);
        }
    }

    @Override
    public void close() {
        workers.shutdownNow();
        synchronized (opened) {
            opened.forEach(Connection::close);
        }
    }

    private static final class Connection {

        private final Socket socket;
        private final OutputStream out;
        private final InputStream in;
        boolean closedByServer;
        int answers;
        boolean answerStarted;

        Connection(InetSocketAddress address) throws IOException {
            socket = new Socket();
            socket.setTcpNoDelay(true);
            socket.connect(address, 5_000);
            socket.setSoTimeout(30_000);
            out = new BufferedOutputStream(socket.getOutputStream(), 8192);
            in = new BufferedInputStream(socket.getInputStream(), 65536);
        }

        Response exchange(byte[] request) throws IOException {
            answerStarted = false;
            out.write(request);
            out.flush();
            String statusLine = line();
            int status = Integer.parseInt(statusLine.substring(9, 12));
            int length = -1;
            boolean chunked = false;
            for (String header = line(); !header.isEmpty(); header = line()) {
                String lower = header.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Integer.parseInt(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                } else if (lower.startsWith("connection:") && lower.contains("close")) {
                    closedByServer = true;
                }
            }
            byte[] body;
            if (chunked) {
                ByteArrayOutputStream all = new ByteArrayOutputStream();
                for (int size = Integer.parseInt(line().split(";")[0].trim(), 16); size > 0;
                     size = Integer.parseInt(line().split(";")[0].trim(), 16)) {
                    all.write(in.readNBytes(size));
                    line(); // the CRLF after each chunk
                }
                for (String trailer = line(); !trailer.isEmpty(); trailer = line()) {
                    // trailers: none expected
                }
                body = all.toByteArray();
            } else if (length >= 0) {
                body = in.readNBytes(length);
            } else {
                closedByServer = true;
                body = in.readAllBytes();
            }
            answers++;
            return new Response(status, new String(body, StandardCharsets.UTF_8));
        }

        private String line() throws IOException {
            StringBuilder line = new StringBuilder(64);
            for (int b = in.read(); b != '\n'; b = in.read()) {
                if (b < 0) {
                    throw new IOException("connection closed mid-answer");
                }
                answerStarted = true;
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
