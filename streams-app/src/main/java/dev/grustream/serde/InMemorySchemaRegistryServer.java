package dev.grustream.serde;

import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.grustream.serde.internals.RegistryHttpHandler;
import dev.grustream.serde.internals.SchemaRegistryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import javax.net.ssl.SSLContext;

/**
 * A Schema Registry in this JVM that speaks the subset of Confluent's REST API the serdes use, over HTTP, so that
 * other processes (a second JVM, a producer script, the demo) can share schemas with this one. Same registry logic
 * as {@code mock://} scopes: ids global across subjects, the same schema always the same id, and
 * {@link CompatibilityLevel#BACKWARD} checks unless told otherwise. Schemas live in memory and die with the server.
 *
 * <pre>{@code
 * try (InMemorySchemaRegistryServer registry = InMemorySchemaRegistryServer.start(0)) {
 *     config.put(AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG, registry.url());
 *     ...
 * }
 * }</pre>
 *
 * <p>Lifecycle: {@link #start} binds and serves at once; {@link #close()} stops it (until then its non-daemon
 * dispatcher thread keeps the JVM alive). Thread-safe; requests are answered one at a time on that thread.
 */
public final class InMemorySchemaRegistryServer implements AutoCloseable {
    private final HttpServer server;
    private final String url;

    private InMemorySchemaRegistryServer(HttpServer server) {
        this.server = server;
        InetSocketAddress address = server.getAddress();
        if (server instanceof HttpsServer) {
            // A certificate names a host, not an address: the URL must carry the name the certificate gives.
            this.url = "https://localhost:" + address.getPort();
            return;
        }
        // A server on every interface is reached from this host through loopback.
        InetAddress host = address.getAddress().isAnyLocalAddress() ? InetAddress.getLoopbackAddress()
                : address.getAddress();
        String literal = host.getHostAddress();
        this.url = "http://" + (literal.contains(":") ? "[" + literal + "]" : literal) + ":" + address.getPort();
    }

    /**
     * Starts a registry on the loopback interface at {@code port} (0 picks a free one).
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static InMemorySchemaRegistryServer start(int port) {
        return start(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), CompatibilityLevel.BACKWARD);
    }

    /**
     * Starts a registry at {@code address} (e.g. {@code new InetSocketAddress(8081)} for every interface) whose
     * subjects check {@code compatibility}.
     *
     * @throws UncheckedIOException when the address cannot be bound
     */
    public static InMemorySchemaRegistryServer start(InetSocketAddress address, CompatibilityLevel compatibility) {
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the in-memory Schema Registry to " + address, e);
        }
        return serve(server, compatibility);
    }

    /**
     * Starts a registry over HTTPS on the loopback interface at {@code port} (0 picks a free one), with the key and
     * certificate of {@code tls}, whose certificate must name {@code localhost}: {@link #url()} is
     * {@code https://localhost:<port>}.
     *
     * @throws UncheckedIOException when the port cannot be bound
     */
    public static InMemorySchemaRegistryServer startHttps(int port, SSLContext tls) {
        HttpsServer server;
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try {
            server = HttpsServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot bind the in-memory Schema Registry to " + address, e);
        }
        server.setHttpsConfigurator(new HttpsConfigurator(tls));
        return serve(server, CompatibilityLevel.BACKWARD);
    }

    private static InMemorySchemaRegistryServer serve(HttpServer server, CompatibilityLevel compatibility) {
        server.createContext("/", new RegistryHttpHandler(new SchemaRegistryStore(compatibility)));
        server.start();
        return new InMemorySchemaRegistryServer(server);
    }

    /** The base URL for {@link AvroSerdeConfig#SCHEMA_REGISTRY_URL_CONFIG}, e.g. {@code http://127.0.0.1:40123}. */
    public String url() {
        return url;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** Stops serving at once; requests in flight are cut off. */
    @Override
    public void close() {
        server.stop(0);
    }
}
