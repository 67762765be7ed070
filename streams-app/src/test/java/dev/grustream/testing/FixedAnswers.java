package dev.grustream.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/** HTTP servers on a free port of 127.0.0.1 that answer every request the same way: a registry, a proxy, a peer. */
public final class FixedAnswers {
    private FixedAnswers() {
    }

    /**
     * Starts a server answering every request with {@code status} and {@code body}, of {@code contentType} (none if
     * null). Stop it with {@link HttpServer#stop(int)}.
     */
    public static HttpServer answering(int status, String body, String contentType) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            if (contentType != null) {
                exchange.getResponseHeaders().add("Content-Type", contentType);
            }
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
        return server;
    }
}
