package dev.grustream.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.sun.net.httpserver.HttpServer;
import dev.grustream.config.OperatorException;
import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.KeyStateFixture;
import dev.grustream.model.Backend;
import dev.grustream.scoring.AlertPolicy;
import dev.grustream.scoring.ErrorStats;
import dev.grustream.service.ModelSwitch;
import dev.grustream.testing.FixedAnswers;
import dev.grustream.testing.Logs;
import dev.grustream.testing.TestingModels;
import dev.grustream.topology.ActiveModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.state.HostInfo;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP endpoints over fake key states: routing, encoding, errors, health, forwarding. No broker. */
class GruStreamHttpServerTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX_KEY_BYTES = 64;
    /**
     * Forwards that wait on a silent instance end soon, and its pause ({@code unresponsivePause}) with them; long
     * enough that a stall of the test's JVM on a loaded machine does not outlast a pause the tests count on.
     */
    private static final Duration SHORT_FORWARD_TIMEOUT = Duration.ofSeconds(1);
    /** The limit on a peer's answer at the producer's default max.request.size. */
    private static final int ANSWER_LIMIT = GruStreamHttpServer.forwardedAnswerLimit(1 << 20, MAX_KEY_BYTES);

    // Straight to the servers, as the forwarding client goes, whatever proxy a test names for the JVM.
    private final HttpClient client = HttpClient.newBuilder().proxy(HttpClient.Builder.NO_PROXY).build();
    private final List<GruStreamHttpServer> servers = new ArrayList<>();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final PrometheusMeterRegistry metrics = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private ModelSwitch models;
    private GruStreamHttpServer server;
    private FakeKeyStates keyStates;

    @BeforeEach
    void startServer() {
        models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")), "file:/models/p.zip", Backend.JAVA,
                metrics, Clock.systemUTC());
        server = start();
        keyStates = new FakeKeyStates(server.advertised());
        server.attach(keyStates);
    }

    @AfterEach
    void stopServers() {
        servers.forEach(GruStreamHttpServer::close);
        metrics.close();
    }

    private GruStreamHttpServer start() {
        return start(Duration.ofSeconds(2));
    }

    private GruStreamHttpServer start(Duration forwardTimeout) {
        return start("127.0.0.1", forwardTimeout, MAX_KEY_BYTES);
    }

    private GruStreamHttpServer start(String advertisedHost, Duration forwardTimeout, int maxKeyBytes) {
        return start(advertisedHost, forwardTimeout, maxKeyBytes, null);
    }

    private GruStreamHttpServer start(String advertisedHost, Duration forwardTimeout, int maxKeyBytes,
            Password token) {
        GruStreamHttpServer started = GruStreamHttpServer.start(new GruStreamHttpServer.Settings("127.0.0.1", 0,
                advertisedHost, forwardTimeout, maxKeyBytes, ANSWER_LIMIT, 0.99, AlertPolicy.NEVER, token), models,
                metrics, closing::get);
        servers.add(started);
        return started;
    }

    /** A server asking for {@code token}, holding the key "k". */
    private GruStreamHttpServer startWithToken(String token) {
        GruStreamHttpServer secured = start("127.0.0.1", Duration.ofSeconds(2), MAX_KEY_BYTES, new Password(token));
        FakeKeyStates states = new FakeKeyStates(secured.advertised());
        states.states.put("k", state(3, 0.1));
        secured.attach(states);
        return secured;
    }

    /**
     * A server asking for "s3cret" that takes {@code owner} for every key's owner and knows {@code others} as
     * instances besides the two.
     */
    private GruStreamHttpServer startForwardingTo(GruStreamHttpServer owner, HostInfo... others) {
        GruStreamHttpServer asked = start("127.0.0.1", Duration.ofSeconds(2), MAX_KEY_BYTES, new Password("s3cret"));
        FakeKeyStates states = new FakeKeyStates(asked.advertised());
        states.owner = key -> Optional.of(owner.advertised());
        if (others.length > 0) {
            List<HostInfo> instances = new ArrayList<>(List.of(asked.advertised(), owner.advertised()));
            instances.addAll(List.of(others));
            states.instances = instances;
        }
        asked.attach(states);
        return asked;
    }

    private HttpResponse<String> get(GruStreamHttpServer target, String rawPath, String authorization)
            throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + rawPath))
                .header("Authorization", authorization).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void idleConnectionsBeyondTheLimitWaitUntilOneCloses() throws Exception {
        List<Socket> idle = new ArrayList<>();
        try {
            for (int i = 0; i < GruStreamHttpServer.MAX_CONNECTIONS; i++) {
                idle.add(new Socket("127.0.0.1", server.port()));
            }
            HttpRequest live = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/live"))
                    .timeout(Duration.ofSeconds(1)).build();

            assertThatThrownBy(() -> client.send(live, HttpResponse.BodyHandlers.ofString()))
                    .isInstanceOf(HttpTimeoutException.class);
            idle.remove(0).close();
            HttpRequest again = HttpRequest.newBuilder(live.uri()).timeout(Duration.ofSeconds(30)).build();
            assertThat(client.send(again, HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
        } finally {
            for (Socket socket : idle) {
                socket.close();
            }
        }
    }

    private static KeyState state(long step, double score) {
        return KeyStateFixture.of("persistence", "1", step, 1_000L * step, 10.5,
                ErrorStats.of(step - 1, new double[] {0.1}, new double[] {0.04}, new double[] {0.16}), score);
    }

    private HttpResponse<String> get(GruStreamHttpServer target, String rawPath) throws Exception {
        return client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + target.port() + rawPath)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String rawPath) throws Exception {
        return get(server, rawPath);
    }

    /** {@link #get(GruStreamHttpServer, String, String)} where nothing may be thrown (inside a {@link Runnable}). */
    private HttpResponse<String> uncheckedGet(GruStreamHttpServer target, String rawPath, String authorization) {
        try {
            return get(target, rawPath, authorization);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode uncheckedJson(HttpResponse<String> response) {
        try {
            return json(response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@link #get(String)} where nothing may be thrown (inside a {@link Runnable}). */
    private HttpResponse<String> uncheckedGet(String rawPath) {
        try {
            return get(rawPath);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        return JSON.readTree(response.body());
    }

    // ---- series

    @Test
    void answersAKeysStateFromTheStore() throws Exception {
        keyStates.states.put("web-1", state(17, 0.42));

        HttpResponse<String> response = get("/v1/series/web-1");
        JsonNode body = json(response);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(body.get("key").asText()).isEqualTo("web-1");
        assertThat(body.get("step").asLong()).isEqualTo(17);
        assertThat(body.get("lastEventTime").asText()).isEqualTo("1970-01-01T00:00:17Z");
        assertThat(body.get("anomalyScore").asDouble()).isEqualTo(0.42);
        assertThat(body.get("anomalous").asBoolean()).isFalse();
        assertThat(body.get("forecast").get("value").asDouble()).isEqualTo(10.5);
        assertThat(body.get("residuals").get("count").asLong()).isEqualTo(16);
        assertThat(body.get("residuals").get("stddev").get("value").asDouble()).isEqualTo(0.2);
        assertThat(body.get("model").get("version").asText()).isEqualTo("1");
        assertThat(body.get("model").get("active").asBoolean()).isTrue();
        assertThat(response.headers().firstValue(GruStreamHttpServer.SERVED_BY_HEADER))
                .hasValue(server.advertisedEndpoint());
    }

    @Test
    void residualsAreTheOneStepErrorsOfEachTargetOnly() throws Exception {
        // With learning on, a key's error statistics also hold each target's step-H error: not a target of its own.
        keyStates.states.put("k", KeyStateFixture.of("persistence", "1", 5, 5_000, 10.5, ErrorStats.of(4,
                new double[] {0.1, 0.3}, new double[] {0.04, 0.09}, new double[] {0.16, 0.24}), Double.NaN));

        JsonNode residuals = json(get("/v1/series/k")).get("residuals");

        assertThat(residuals.get("mean").properties()).extracting(Map.Entry::getKey).containsExactly("value");
        assertThat(residuals.get("stddev").properties()).extracting(Map.Entry::getKey).containsExactly("value");
        assertThat(residuals.get("stddev").get("value").asDouble()).isEqualTo(0.2);
    }

    @Test
    void aStateMadeByAnotherModelIsMarkedInactiveWithGenericTargetNames() throws Exception {
        keyStates.states.put("k", KeyStateFixture.of("persistence", "0", 1, 5_000, 0.0, ErrorStats.empty(1),
                Double.NaN));

        JsonNode body = json(get("/v1/series/k"));

        assertThat(body.get("model").get("active").asBoolean()).isFalse();
        assertThat(body.get("forecast").has("target-0")).isTrue();
    }

    @Test
    void aStateOfAModelRetrainedUnderTheSameVersionWithOtherTargetsIsInactive() throws Exception {
        models = new ModelSwitch(new ActiveModel(TestingModels.persistence("1", 2, "load", "value")),
                "file:/models/p.zip", Backend.JAVA, metrics, Clock.systemUTC());
        GruStreamHttpServer twoTargets = start();
        FakeKeyStates states = new FakeKeyStates(twoTargets.advertised());
        states.states.put("k", state(3, 0.1));
        twoTargets.attach(states);

        JsonNode body = json(get(twoTargets, "/v1/series/k"));

        assertThat(body.get("model").get("version").asText()).isEqualTo("1");
        assertThat(body.get("model").get("active").asBoolean()).isFalse();
        assertThat(body.get("forecast").has("load")).isFalse();
        assertThat(body.get("forecast").has("target-0")).isTrue();
    }

    @Test
    void aStateWithoutScoreReportsNullScore() throws Exception {
        keyStates.states.put("k", state(1, Double.NaN));

        JsonNode body = json(get("/v1/series/k"));

        assertThat(body.get("anomalyScore").isNull()).isTrue();
        assertThat(body.get("anomalous").isNull()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/b", "a b", "a+b", "100%", "größe", "/leading", "x?y#z"})
    void decodesPercentEncodedKeys(String key) throws Exception {
        keyStates.states.put(key, state(3, 0.1));
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8)
                .replace("+", "%20");

        HttpResponse<String> response = get("/v1/series/" + encoded);

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("key").asText()).isEqualTo(key);
    }

    @Test
    void aKeyWhosePercentEncodedBytesAreNotUtf8IsA400() throws Exception {
        keyStates.states.put("\uFFFD", state(2, 0.1));

        HttpResponse<String> response = get("/v1/series/%FF");

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("invalid_key");
        assertThat(get("/v1/series/%EF%BF%BD").statusCode()).isEqualTo(200);
    }

    @Test
    void aPlusInThePathIsAPlus() throws Exception {
        keyStates.states.put("a+b", state(2, 0.1));

        assertThat(get("/v1/series/a+b").statusCode()).isEqualTo(200);
    }

    @Test
    void answersASeriesHeldInAnotherPartitionThanItsIdHashesTo() throws Exception {
        // As with input.key.fields: series web-1/cpu lives in the partition of its record key, web-1, not of its id.
        keyStates.states.put("web-1/cpu", state(3, 0.1));

        HttpResponse<String> response = get("/v1/series/web-1%2Fcpu");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("key").asText()).isEqualTo("web-1/cpu");
    }

    @Test
    void aKeyWhoseDotSegmentsClimbAboveTheRootCannotBeQueried() throws Exception {
        // A limit of the HTTP server's path handling, documented in openapi.yaml: two levels still reach the key.
        keyStates.states.put("../../x", state(3, 0.1));
        keyStates.states.put("../../../x", state(3, 0.1));

        assertThat(get("/v1/series/..%2F..%2Fx").statusCode()).isEqualTo(200);
        assertThat(get("/v1/series/..%2F..%2F..%2Fx").statusCode()).isEqualTo(400);
    }

    @Test
    void unknownKeyIsA404WithAJsonError() throws Exception {
        HttpResponse<String> response = get("/v1/series/nobody");
        JsonNode body = json(response);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(body.get("status").asInt()).isEqualTo(404);
        assertThat(body.get("error").asText()).isEqualTo("key_not_found");
        assertThat(body.get("message").asText()).isNotBlank();
    }

    @Test
    void neverEchoesTheKeyUnescaped() throws Exception {
        keyStates.states.put("<script>alert('x')</script>", state(2, 0.1));

        HttpResponse<String> found = get("/v1/series/%3Cscript%3Ealert('x')%3C%2Fscript%3E");
        HttpResponse<String> missing = get("/v1/series/%3Cimg%20src%3Dx%3E");

        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(json(found).get("key").asText()).isEqualTo("<script>alert('x')</script>");
        assertThat(found.body()).doesNotContain("<", ">", "'");
        assertThat(found.headers().firstValue("X-Content-Type-Options")).hasValue("nosniff");
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(missing.body()).doesNotContain("<", "img");
    }

    @Test
    void aKeyLongerThanTheLimitIsA400() throws Exception {
        HttpResponse<String> response = get("/v1/series/" + "k".repeat(MAX_KEY_BYTES + 1));

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("key_too_long");
    }

    @Test
    void theLongestKeyOfALargeLimitFitsInARequestPercentEncoded() throws Exception {
        int maxKeyBytes = 4096;
        GruStreamHttpServer large = start("127.0.0.1", Duration.ofSeconds(2), maxKeyBytes);
        FakeKeyStates states = new FakeKeyStates(large.advertised());
        String key = "/".repeat(maxKeyBytes);
        states.states.put(key, state(2, 0.1));
        large.attach(states);

        HttpResponse<String> response = get(large, "/v1/series/" + "%2F".repeat(maxKeyBytes));

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("step").asLong()).isEqualTo(2);
    }

    @Test
    void aKeyLongerThanTheLimitInUtf8BytesIsA400() throws Exception {
        String key = "ü".repeat(MAX_KEY_BYTES / 2 + 1);
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8);

        assertThat(get("/v1/series/" + encoded).statusCode()).isEqualTo(400);
    }

    @Test
    void aMalformedEncodingIsA400WithAJsonError() throws Exception {
        // The JDK's client refuses to send such a path: write the request by hand.
        String response;
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("GET /v1/series/bad%zz HTTP/1.1\r\nHost: localhost\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(response).startsWith("HTTP/1.1 400");
        assertThat(response).contains("application/json", "\"bad_request\"");
    }

    @Test
    void whileRebalancingAfterRunningQueriesGoToTheStores() throws Exception {
        keyStates.states.put("k", state(2, 0.1));
        keyStates.hasRun = true;
        keyStates.state = KafkaStreams.State.REBALANCING;

        HttpResponse<String> response = get("/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(200);
    }

    @Test
    void whileRestoringItsFirstAssignmentQueriesAnswer503WithRetryAfter() throws Exception {
        keyStates.states.put("k", state(2, 0.1));
        keyStates.state = KafkaStreams.State.REBALANCING;

        HttpResponse<String> response = get("/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(json(response).get("error").asText()).isEqualTo("rebalancing");
    }

    @Test
    void anUnknownOwnerIsA503() throws Exception {
        keyStates.owner = key -> Optional.empty();

        HttpResponse<String> response = get("/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("owner_unknown");
    }

    @Test
    void beforeTheStreamsClientIsAttachedQueriesAnswer503() throws Exception {
        GruStreamHttpServer unattached = start();

        HttpResponse<String> response = get(unattached, "/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("not_running");
    }

    // ---- forwarding

    @Test
    void withATokenEveryEndpointButHealthAnswers401WithoutIt() throws Exception {
        GruStreamHttpServer secured = startWithToken("s3cret");

        for (String path : List.of("/v1/series/k", "/v1/series", "/v1/model", "/v1/openapi.yaml", "/metrics",
                "/no/such/endpoint")) {
            HttpResponse<String> response = get(secured, path);
            assertThat(response.statusCode()).as(path).isEqualTo(401);
            assertThat(response.headers().firstValue("WWW-Authenticate")).as(path).hasValue("Bearer");
            assertThat(json(response).get("error").asText()).as(path).isEqualTo("unauthorized");
        }
        assertThat(get(secured, "/health/live").statusCode()).isEqualTo(200);
        assertThat(get(secured, "/health/ready").statusCode()).isNotEqualTo(401);
    }

    @Test
    void withATokenAWrongOneIsRefusedAndTheRightOneServed() throws Exception {
        GruStreamHttpServer secured = startWithToken("s3cret");

        assertThat(get(secured, "/v1/series/k", "Bearer s3cre").statusCode()).isEqualTo(401);
        assertThat(get(secured, "/v1/series/k", "Basic s3cret").statusCode()).isEqualTo(401);
        HttpResponse<String> served = get(secured, "/v1/series/k", "Bearer s3cret");
        assertThat(served.statusCode()).isEqualTo(200);
        assertThat(json(served).get("step").asLong()).isEqualTo(3);
    }

    @Test
    void theSchemesNameIsReadInAnyCase() throws Exception {
        GruStreamHttpServer secured = startWithToken("s3cret");

        assertThat(get(secured, "/v1/series/k", "bearer s3cret").statusCode()).isEqualTo(200);
    }

    @Test
    void aQueryForwardedToAnInstanceOfAnotherTokenAnswers502SayingSo() throws Exception {
        GruStreamHttpServer owner = startWithToken("other");
        GruStreamHttpServer asked = startForwardingTo(owner);

        List<ILoggingEvent> logged = Logs.of(GruStreamHttpServer.class, () -> {
            HttpResponse<String> response = uncheckedGet(asked, "/v1/series/k", "Bearer s3cret");
            assertThat(response.statusCode()).isEqualTo(502);
            assertThat(uncheckedJson(response).get("error").asText()).isEqualTo("peer_unauthorized");
        });

        assertThat(logged).extracting(ILoggingEvent::getFormattedMessage).anySatisfy(line -> assertThat(line)
                .contains("Instance " + owner.advertisedEndpoint() + " refused a forwarded query with 401"));
    }

    @Test
    void aQueryThatAnInstanceWhichDidNotAnswerMayHoldAnswers503ThoughAnotherRefusedTheToken() throws Exception {
        GruStreamHttpServer owner = startWithToken("other");
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        GruStreamHttpServer asked = startForwardingTo(owner, new HostInfo("127.0.0.1", closedPort));

        HttpResponse<String> response = get(asked, "/v1/series/k", "Bearer s3cret");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
        assertThat(json(response).get("message").asText()).contains("refused this instance's http.auth.token");
    }

    @Test
    void aForwardedQueryCarriesTheToken() throws Exception {
        GruStreamHttpServer owner = startWithToken("s3cret");
        GruStreamHttpServer asked = startForwardingTo(owner);

        HttpResponse<String> response = get(asked, "/v1/series/k", "Bearer s3cret");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue(GruStreamHttpServer.SERVED_BY_HEADER))
                .hasValue(owner.advertisedEndpoint());
    }

    @Test
    void aQueryForAKeyHeldElsewhereIsForwardedToItsOwner() throws Exception {
        GruStreamHttpServer owner = start();
        FakeKeyStates ownerStates = new FakeKeyStates(owner.advertised());
        ownerStates.states.put("a/b c", state(9, 0.3));
        owner.attach(ownerStates);
        keyStates.owner = key -> Optional.of(owner.advertised());

        HttpResponse<String> response = get("/v1/series/a%2Fb%20c");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("step").asLong()).isEqualTo(9);
        assertThat(response.headers().firstValue(GruStreamHttpServer.SERVED_BY_HEADER))
                .hasValue(owner.advertisedEndpoint());
    }

    @Test
    void aKeyHeldElsewhereThanItHashesToIsAskedForAtTheOtherInstances() throws Exception {
        // As with a producer that partitions otherwise than Java's default (librdkafka's clients, a custom one).
        GruStreamHttpServer holder = start();
        FakeKeyStates holderStates = new FakeKeyStates(holder.advertised());
        holderStates.states.put("k", state(4, 0.2));
        holder.attach(holderStates);
        keyStates.instances = List.of(server.advertised(), holder.advertised());

        HttpResponse<String> response = get("/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("step").asLong()).isEqualTo(4);
        assertThat(response.headers().firstValue(GruStreamHttpServer.SERVED_BY_HEADER))
                .hasValue(holder.advertisedEndpoint());
    }

    @Test
    void aKeyAnInstanceAskedSaysMovedToAnInstanceNotAskedIsA503() throws Exception {
        // The asked instance already sees the partition at an instance this one's metadata does not list yet.
        GruStreamHttpServer other = start();
        other.attach(new FakeKeyStates(new HostInfo("127.0.0.1", 1)));
        keyStates.instances = List.of(server.advertised(), other.advertised());

        HttpResponse<String> response = get("/v1/series/moving");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
    }

    @Test
    void aKeyNoInstanceHoldsIsA404AfterAskingThemAll() throws Exception {
        GruStreamHttpServer other = start();
        FakeKeyStates otherStates = new FakeKeyStates(server.advertised());
        other.attach(otherStates);
        keyStates.instances = List.of(server.advertised(), other.advertised());

        HttpResponse<String> response = get("/v1/series/nobody");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).isEqualTo("key_not_found");
        assertThat(otherStates.reads).hasValue(1);
    }

    @Test
    void aKeyNotFoundWhileAnInstanceCannotReadItsStoresIsA503() throws Exception {
        GruStreamHttpServer restoring = start();
        FakeKeyStates restoringStates = new FakeKeyStates(server.advertised());
        restoringStates.storesUnavailable = true;
        restoringStates.instances = List.of(server.advertised(), restoring.advertised());
        restoring.attach(restoringStates);
        keyStates.instances = List.of(server.advertised(), restoring.advertised());

        HttpResponse<String> response = get("/v1/series/held-by-the-restoring-one");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
    }

    @Test
    void anOwnerThatCannotReadItsStoresIsA503EvenWhenTheOthersDoNotHoldTheKey() throws Exception {
        GruStreamHttpServer owner = start();
        FakeKeyStates ownerStates = new FakeKeyStates(owner.advertised());
        ownerStates.storesUnavailable = true;
        ownerStates.instances = List.of(owner.advertised());
        owner.attach(ownerStates);
        GruStreamHttpServer other = start();
        other.attach(new FakeKeyStates(owner.advertised()));
        keyStates.owner = key -> Optional.of(owner.advertised());
        keyStates.instances = List.of(server.advertised(), owner.advertised(), other.advertised());

        HttpResponse<String> response = get("/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
    }

    @Test
    void aKeyNotFoundWhileAnInstanceDidNotAnswerIsA503() throws Exception {
        GruStreamHttpServer other = start();
        other.attach(new FakeKeyStates(server.advertised()));
        // Connections are taken into the socket's backlog, never accepted: an instance that hears and never answers.
        try (ServerSocket silent = new ServerSocket(0, 4)) {
            keyStates.instances = List.of(server.advertised(), new HostInfo("127.0.0.1", silent.getLocalPort()),
                    other.advertised());

            HttpResponse<String> response = get("/v1/series/nobody");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
        }
    }

    @Test
    void anInstanceThatDidNotAnswerIsNotAskedAgainForAWhile() throws Exception {
        try (SilentPeer owner = new SilentPeer()) {
            GruStreamHttpServer asking = askingOf(owner);

            HttpResponse<String> first = get(asking, "/v1/series/k1");
            HttpResponse<String> second = get(asking, "/v1/series/k2");

            assertThat(json(first).get("error").asText()).isEqualTo("owner_unreachable");
            assertThat(json(second).get("error").asText()).isEqualTo("owner_unreachable");
            assertThat(owner.queriesHeard()).isEqualTo(1);
        }
    }

    @Test
    void anInstanceThatDidNotAnswerIsAskedAgainOnceItsPauseIsOver() throws Exception {
        try (SilentPeer owner = new SilentPeer()) {
            GruStreamHttpServer asking = askingOf(owner);
            get(asking, "/v1/series/k1");

            Thread.sleep(GruStreamHttpServer.unresponsivePause(SHORT_FORWARD_TIMEOUT).toMillis());
            HttpResponse<String> later = get(asking, "/v1/series/k2");

            assertThat(json(later).get("error").asText()).isEqualTo("owner_unreachable");
            assertThat(owner.queriesHeard()).isEqualTo(2);
        }
    }

    @Test
    void onceItsPauseIsOverOneQueryAtATimeAsksAnInstanceThatDidNotAnswer() throws Exception {
        try (SilentPeer owner = new SilentPeer()) {
            GruStreamHttpServer asking = askingOf(owner);
            get(asking, "/v1/series/k1");
            Thread.sleep(GruStreamHttpServer.unresponsivePause(SHORT_FORWARD_TIMEOUT).toMillis());

            List<CompletableFuture<HttpResponse<String>>> together = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                together.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + asking.port()
                        + "/v1/series/k" + (2 + i))).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> answer : together) {
                assertThat(json(answer.get(30, TimeUnit.SECONDS)).get("error").asText())
                        .isEqualTo("owner_unreachable");
            }

            assertThat(owner.queriesHeard()).isEqualTo(2);
        }
    }

    @Test
    void pausingOneInstanceLeavesAnotherWhosePauseIsOverToOneQueryAtATime() throws Exception {
        try (SilentPeer first = new SilentPeer(); SilentPeer second = new SilentPeer()) {
            GruStreamHttpServer asking = askingOf(first);
            keyStates.owner = key -> Optional.of((key.startsWith("first") ? first : second).address());
            get(asking, "/v1/series/first-1");
            Thread.sleep(GruStreamHttpServer.unresponsivePause(SHORT_FORWARD_TIMEOUT).toMillis());
            get(asking, "/v1/series/second-1");

            List<CompletableFuture<HttpResponse<String>>> together = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                together.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + asking.port()
                        + "/v1/series/first-" + (2 + i))).build(), HttpResponse.BodyHandlers.ofString()));
            }
            for (CompletableFuture<HttpResponse<String>> answer : together) {
                answer.get(30, TimeUnit.SECONDS);
            }

            assertThat(first.queriesHeard()).isEqualTo(2);
        }
    }

    @Test
    void anInstanceThatFailsAQueryAsLateAsASilentOneWouldIsNotAskedAgainForAWhile() throws Exception {
        try (SilentPeer owner = new SilentPeer(SHORT_FORWARD_TIMEOUT.multipliedBy(3).dividedBy(5))) {
            GruStreamHttpServer asking = askingOf(owner);
            HttpResponse<String> first = get(asking, "/v1/series/k1");
            int heard = owner.queriesHeard();

            HttpResponse<String> second = get(asking, "/v1/series/k2");

            assertThat(json(first).get("error").asText()).isEqualTo("owner_unreachable");
            assertThat(json(second).get("error").asText()).isEqualTo("owner_unreachable");
            assertThat(owner.queriesHeard()).isEqualTo(heard);
        }
    }

    /** A server forwarding with {@link #SHORT_FORWARD_TIMEOUT}, to which {@code owner} holds every key. */
    private GruStreamHttpServer askingOf(SilentPeer owner) {
        GruStreamHttpServer asking = start(SHORT_FORWARD_TIMEOUT);
        asking.attach(keyStates);
        keyStates.owner = key -> Optional.of(owner.address());
        return asking;
    }

    /**
     * An instance that reads the request line of every query sent to it, counting them, and answers none: it holds
     * each connection, or after a while writes bytes that are not HTTP and closes it.
     */
    private static final class SilentPeer implements AutoCloseable {
        private final ServerSocket socket = new ServerSocket(0);
        private final AtomicInteger heard = new AtomicInteger();
        private final List<Socket> held = new ArrayList<>();
        private final Duration closingAfter;

        SilentPeer() throws IOException {
            this(null);
        }

        /** A peer that fails each query {@code closingAfter} after its request line (no retry: it is not HTTP). */
        SilentPeer(Duration closingAfter) throws IOException {
            this.closingAfter = closingAfter;
            new Thread(this::hear).start();
        }

        HostInfo address() {
            return new HostInfo("127.0.0.1", socket.getLocalPort());
        }

        int queriesHeard() {
            return heard.get();
        }

        private void hear() {
            try {
                while (true) {
                    Socket connection = socket.accept();
                    synchronized (held) {
                        held.add(connection);
                    }
                    BufferedReader lines = new BufferedReader(new InputStreamReader(connection.getInputStream(),
                            StandardCharsets.UTF_8));
                    String line = lines.readLine();
                    if (line != null && line.startsWith("GET ")) {
                        heard.incrementAndGet();
                    }
                    if (closingAfter != null) {
                        new Thread(() -> closeAfterAWhile(connection)).start();
                    }
                }
            } catch (IOException closed) {
                // The test closed the socket: nothing more to hear.
            }
        }

        private void closeAfterAWhile(Socket connection) {
            try {
                Thread.sleep(closingAfter.toMillis());
                connection.getOutputStream().write("NOT HTTP\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                connection.close();
            } catch (InterruptedException | IOException e) {
                // The test is over.
            }
        }

        @Override
        public void close() throws IOException {
            socket.close();
            synchronized (held) {
                for (Socket connection : held) {
                    connection.close();
                }
            }
        }
    }

    @Test
    void whileItsActiveStoresAreRestoredAnInstanceAnswers503() throws Exception {
        keyStates.storesUnavailable = true;
        keyStates.instances = List.of(server.advertised());

        HttpResponse<String> response = get("/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("store_unavailable");
    }

    @Test
    void anAddressThatIsNotThisHostsIsReportedAsSuchNotAsAPortInUse() {
        assertThatThrownBy(() -> GruStreamHttpServer.start(new GruStreamHttpServer.Settings("192.0.2.1", 0,
                "127.0.0.1", Duration.ofSeconds(2), MAX_KEY_BYTES, ANSWER_LIMIT, 0.99, AlertPolicy.NEVER, null), models,
                metrics, closing::get))
                .isInstanceOf(OperatorException.class)
                .hasMessageContaining("http.bind.address")
                .hasMessageNotContaining("already in use");
    }

    @Test
    void aKeyLimitNearIntegerMaxStillServesLongKeys() throws Exception {
        GruStreamHttpServer lenient = start("127.0.0.1", Duration.ofSeconds(2), Integer.MAX_VALUE);
        lenient.attach(new FakeKeyStates(lenient.advertised()));

        HttpResponse<String> response = get(lenient, "/v1/series/" + "a".repeat(10_000));

        assertThat(response.statusCode()).isEqualTo(404);
    }

    /** Another instance that holds key {@code key} at step {@code step}. */
    private GruStreamHttpServer holding(String key, long step) {
        GruStreamHttpServer holder = start();
        FakeKeyStates holderStates = new FakeKeyStates(holder.advertised());
        holderStates.states.put(key, state(step, 0.2));
        holder.attach(holderStates);
        return holder;
    }

    @Test
    void anInstanceRestoringItsStoresAsksTheOthersForAKeyTheyHold() throws Exception {
        GruStreamHttpServer holder = holding("k", 6);
        keyStates.storesUnavailable = true;
        keyStates.hasRun = true;
        keyStates.state = KafkaStreams.State.REBALANCING;
        keyStates.owner = key -> Optional.of(holder.advertised());
        keyStates.instances = List.of(server.advertised(), holder.advertised());

        HttpResponse<String> held = get("/v1/series/k");
        HttpResponse<String> maybeHere = get("/v1/series/nobody");

        assertThat(held.statusCode()).isEqualTo(200);
        assertThat(json(held).get("step").asLong()).isEqualTo(6);
        assertThat(maybeHere.statusCode()).as("not a 404: the key may be in the stores being restored").isEqualTo(503);
        assertThat(json(maybeHere).get("error").asText()).isEqualTo("store_unavailable");
    }

    @Test
    void anInstanceHoldingOnlyStandbyCopiesAsksTheOthers() throws Exception {
        GruStreamHttpServer holder = holding("k", 6);
        // Its stores cannot be read, and Kafka Streams does not list it among the instances with active ones.
        keyStates.storesUnavailable = true;
        keyStates.owner = key -> Optional.of(holder.advertised());
        keyStates.instances = List.of(holder.advertised());

        HttpResponse<String> response = get("/v1/series/k");
        HttpResponse<String> missing = get("/v1/series/nobody");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("step").asLong()).isEqualTo(6);
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing).get("error").asText()).isEqualTo("key_not_found");
    }

    @Test
    void aPeerThatRefusesTheKeyDoesNotHoldIt() throws Exception {
        // During a rolling change of input.max.key.bytes, a peer with a lower limit refuses the key as too long.
        GruStreamHttpServer strict = start("127.0.0.1", Duration.ofSeconds(2), 4);
        strict.attach(new FakeKeyStates(strict.advertised()));
        keyStates.instances = List.of(server.advertised(), strict.advertised());

        HttpResponse<String> response = get("/v1/series/longer-than-four");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).isEqualTo("key_not_found");
    }

    @Test
    void aPeerBehindAProxyThatForbidsTheQueryMayHoldTheKey() throws Exception {
        HttpServer proxy = FixedAnswers.answering(403, "RBAC: access denied", null);
        try {
            keyStates.instances = List.of(server.advertised(), new HostInfo("127.0.0.1", proxy.getAddress().getPort()));

            HttpResponse<String> response = get("/v1/series/k");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
        } finally {
            proxy.stop(0);
        }
    }

    /** The key is answered as one no instance holds, in JSON, whether the owner or another instance refused it. */
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void aPeerWhoseServerRefusesAPathThatLongDoesNotHoldTheKey(boolean owner) throws Exception {
        HttpServer tooLong = FixedAnswers.answering(431, "Request Header Fields Too Large", null);
        try {
            HostInfo peer = new HostInfo("127.0.0.1", tooLong.getAddress().getPort());
            if (owner) {
                keyStates.owner = key -> Optional.of(peer);
            } else {
                keyStates.instances = List.of(server.advertised(), peer);
            }

            HttpResponse<String> response = get("/v1/series/k");

            assertThat(response.statusCode()).isEqualTo(404);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                    assertThat(type).startsWith("application/json"));
            assertThat(json(response).get("error").asText()).isEqualTo("key_not_found");
        } finally {
            tooLong.stop(0);
        }
    }

    @Test
    void forwardsGoStraightToTheOwnerWhateverProxyTheJvmNames() throws Exception {
        HttpServer proxy = FixedAnswers.answering(502, "Bad Gateway", null);
        AtomicInteger proxied = new AtomicInteger();
        proxy.createContext("/v1/", exchange -> {
            proxied.incrementAndGet();
            exchange.sendResponseHeaders(502, -1);
            exchange.close();
        });
        GruStreamHttpServer owner = start();
        FakeKeyStates ownerStates = new FakeKeyStates(owner.advertised());
        ownerStates.states.put("k", state(9, 0.3));
        owner.attach(ownerStates);
        keyStates.owner = key -> Optional.of(owner.advertised());
        System.setProperty("http.proxyHost", "127.0.0.1");
        System.setProperty("http.proxyPort", String.valueOf(proxy.getAddress().getPort()));
        System.setProperty("http.nonProxyHosts", "");
        try {
            HttpResponse<String> response = get("/v1/series/k");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(proxied).hasValue(0);
        } finally {
            System.clearProperty("http.proxyHost");
            System.clearProperty("http.proxyPort");
            System.clearProperty("http.nonProxyHosts");
            proxy.stop(0);
        }
    }

    @Test
    void aPeerAnsweringWithMoreThanAnAnswerCanHoldIsNotRelayed() throws Exception {
        HttpServer endless = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endless.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, 0); // chunked: no length to refuse it by
            byte[] chunk = new byte[64 * 1024];
            Arrays.fill(chunk, (byte) ' ');
            try (OutputStream body = exchange.getResponseBody()) {
                body.write('{');
                for (int written = 0; written <= ANSWER_LIMIT; written += chunk.length) {
                    body.write(chunk);
                }
                body.write('}');
            } catch (IOException e) {
                // The instance stopped reading, as it should.
            }
        });
        endless.start();
        try {
            keyStates.owner = key -> Optional.of(new HostInfo("127.0.0.1", endless.getAddress().getPort()));

            HttpResponse<String> response = get("/v1/series/k");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
        } finally {
            endless.stop(0);
        }
    }

    @Test
    void aPeerAnsweringWithSomethingOtherThanJsonIsNotRelayed() throws Exception {
        HttpServer page = FixedAnswers.answering(200, "<html><script>alert(1)</script></html>", null);
        try {
            keyStates.owner = key -> Optional.of(new HostInfo("127.0.0.1", page.getAddress().getPort()));

            HttpResponse<String> response = get("/v1/series/k");

            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
        } finally {
            page.stop(0);
        }
    }

    @Test
    void theLimitOnAPeersAnswerGrowsWithTheProducersMaxRequestSizeAndTheKeys() {
        assertThat(GruStreamHttpServer.forwardedAnswerLimit(1 << 20, 1024)).isEqualTo(4 << 20);
        assertThat(GruStreamHttpServer.forwardedAnswerLimit(10 << 20, 1024)).isEqualTo((20 << 20) + 6 * 1024);
        assertThat(GruStreamHttpServer.forwardedAnswerLimit(1 << 20, 1 << 20)).isEqualTo(8 << 20);
        assertThat(GruStreamHttpServer.forwardedAnswerLimit(Integer.MAX_VALUE, Integer.MAX_VALUE))
                .isEqualTo(64 << 20);
    }

    @Test
    void aKeyOfDotsIsForwardedAsAKey() throws Exception {
        GruStreamHttpServer owner = start();
        FakeKeyStates ownerStates = new FakeKeyStates(owner.advertised());
        ownerStates.states.put("..", state(3, 0.1));
        owner.attach(ownerStates);
        keyStates.owner = key -> Optional.of(owner.advertised());

        HttpResponse<String> response = get("/v1/series/%2E%2E");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(json(response).get("step").asLong()).isEqualTo(3);
    }

    @Test
    void anOwnerKafkaStreamsReportsUnavailableIsA503() throws Exception {
        keyStates.owner = key -> Optional.of(HostInfo.unavailable());

        HttpResponse<String> response = get("/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("owner_unknown");
    }

    @Test
    void anInstanceAdvertisedByAnIpv6AddressKnowsItself() throws Exception {
        GruStreamHttpServer ipv6 = start("[::1]", Duration.ofSeconds(2), MAX_KEY_BYTES);
        FakeKeyStates states = new FakeKeyStates(new HostInfo("::1", ipv6.port()));
        ipv6.attach(states);

        HttpResponse<String> response = get(ipv6, "/v1/series/nobody");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).isEqualTo("key_not_found");
    }

    @Test
    void theOwnersNotFoundIsRelayed() throws Exception {
        GruStreamHttpServer owner = start();
        FakeKeyStates ownerStates = new FakeKeyStates(owner.advertised());
        owner.attach(ownerStates);
        keyStates.owner = key -> Optional.of(owner.advertised());

        HttpResponse<String> response = get("/v1/series/nobody");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).isEqualTo("key_not_found");
        assertThat(ownerStates.reads).hasValue(1);
    }

    @Test
    void aForwardedQueryIsNotForwardedAgain() throws Exception {
        keyStates.owner = key -> Optional.of(new HostInfo("127.0.0.1", 1));

        HttpResponse<String> response = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                + server.port() + "/v1/series/k")).header(GruStreamHttpServer.FORWARDED_HEADER, "other:1").build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("owner_moved");
    }

    @Test
    void anUnreachableOwnerIsA503() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        keyStates.owner = key -> Optional.of(new HostInfo("127.0.0.1", closedPort));

        HttpResponse<String> response = get("/v1/series/k");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(response.headers().firstValue("Retry-After")).isPresent();
        assertThat(json(response).get("error").asText()).isEqualTo("owner_unreachable");
    }

    @Test
    void anOwnerRefusingConnectionsIsWarnedOfTenTimesAMinute() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        keyStates.owner = key -> Optional.of(new HostInfo("127.0.0.1", closedPort));

        List<ILoggingEvent> logged = Logs.of(GruStreamHttpServer.class, () -> {
            for (int i = 0; i < 15; i++) {
                assertThat(uncheckedGet("/v1/series/k").statusCode()).isEqualTo(503);
            }
        });

        assertThat(logged).filteredOn(event -> event.getLevel() == ch.qos.logback.classic.Level.WARN)
                .hasSize(10).allSatisfy(event -> assertThat(event.getFormattedMessage()).contains(
                        "Forwarding a series query to 127.0.0.1:" + closedPort));
    }

    @Test
    void anOwnerThatNeverAnswersCannotTakeEveryServerThread() throws Exception {
        GruStreamHttpServer patient = start(Duration.ofMinutes(1));
        patient.attach(keyStates);
        int queries = 2 * GruStreamHttpServer.MAX_FORWARDS;
        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        // Connections are taken into the socket's backlog, never accepted: the owner hears every query, answers none.
        try (ServerSocket silent = new ServerSocket(0, 4 * queries)) {
            keyStates.owner = key -> Optional.of(new HostInfo("127.0.0.1", silent.getLocalPort()));
            for (int i = 0; i < queries; i++) {
                answers.add(client.sendAsync(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + patient.port()
                        + "/v1/series/k" + i)).build(), HttpResponse.BodyHandlers.ofString()));
            }
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            int refused = queries - GruStreamHttpServer.MAX_FORWARDS;
            while (answers.stream().filter(CompletableFuture::isDone).count() < refused
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }

            HttpResponse<String> live = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                    + patient.port() + "/health/live")).timeout(Duration.ofSeconds(20)).build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(live.statusCode()).isEqualTo(200);
        }
        List<String> errors = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> answer : answers) {
            errors.add(json(answer.get(30, TimeUnit.SECONDS)).get("error").asText());
        }
        assertThat(errors).filteredOn("forwards_busy"::equals).hasSize(GruStreamHttpServer.MAX_FORWARDS);
        assertThat(errors).filteredOn("owner_unreachable"::equals).hasSize(GruStreamHttpServer.MAX_FORWARDS);
    }

    @Test
    void aForwardInterruptedAsTheServerStopsIsA503() throws Exception {
        GruStreamHttpServer patient = start(Duration.ofMinutes(1));
        patient.attach(keyStates);
        AtomicReference<Thread> serving = new AtomicReference<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            keyStates.owner = key -> {
                serving.set(Thread.currentThread());
                return Optional.of(new HostInfo("127.0.0.1", silent.getLocalPort()));
            };
            CompletableFuture<HttpResponse<String>> answer = client.sendAsync(HttpRequest.newBuilder(URI.create(
                    "http://127.0.0.1:" + patient.port() + "/v1/series/k")).build(),
                    HttpResponse.BodyHandlers.ofString());
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (serving.get() == null && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            // Long enough for the query to be waiting on the silent owner.
            Thread.sleep(300);

            serving.get().interrupt();

            HttpResponse<String> response = answer.get(30, TimeUnit.SECONDS);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(response.headers().firstValue("Retry-After")).isPresent();
            assertThat(json(response).get("error").asText()).isEqualTo("stopping");
        }
    }

    // ---- key listing and model

    @Test
    void listsKeysUpToTheLimit() throws Exception {
        keyStates.states.put("a", state(1, 0.1));
        keyStates.states.put("b", state(1, 0.1));
        keyStates.states.put("c", state(1, 0.1));

        JsonNode body = json(get("/v1/series?limit=2"));

        assertThat(body.get("keys")).hasSize(2);
        assertThat(body.get("approximateCount").asLong()).isEqualTo(3);
        assertThat(body.get("instance").asText()).isEqualTo(server.advertisedEndpoint());
    }

    @Test
    void aListingOfLongKeysStopsBeforeTheirIdsPassItsBound() throws Exception {
        int length = (int) (GruStreamHttpServer.MAX_LISTED_KEY_BYTES / 3);
        for (char first = 'a'; first <= 'e'; first++) {
            keyStates.states.put(first + "x".repeat(length - 1), state(1, 0.1));
        }

        JsonNode body = json(get("/v1/series?limit=1000"));

        assertThat(body.get("keys")).hasSize(3);
        assertThat(body.get("approximateCount").asLong()).isEqualTo(5);
    }

    @Test
    void anInstanceHoldingOnlyStandbyCopiesListsNoKeys() throws Exception {
        keyStates.storesUnavailable = true;

        JsonNode body = json(get("/v1/series"));

        assertThat(body.get("keys")).isEmpty();
        assertThat(body.get("approximateCount").asLong()).isZero();
    }

    @Test
    void whileItsActiveStoresAreRestoredListingKeysAnswers503() throws Exception {
        keyStates.storesUnavailable = true;
        keyStates.instances = List.of(server.advertised());

        HttpResponse<String> response = get("/v1/series");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("error").asText()).isEqualTo("store_unavailable");
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "1001", "-1", "ten", "1e3", ""})
    void anInvalidLimitIsA400(String limit) throws Exception {
        HttpResponse<String> response = get("/v1/series?limit=" + limit);

        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(json(response).get("error").asText()).isEqualTo("invalid_limit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"%zz", "5%"})
    void aLimitThatCannotBeDecodedIsA400(String limit) throws Exception {
        // Java's HTTP client refuses to send a malformed escape: the request is written by hand.
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.getOutputStream().write(("GET /v1/series?limit=" + limit + " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(response).startsWith("HTTP/1.1 400 ").contains("\"invalid_limit\"");
        }
    }

    @Test
    void describesTheServingModel() throws Exception {
        JsonNode body = json(get("/v1/model"));

        assertThat(body.get("name").asText()).isEqualTo("persistence");
        assertThat(body.get("version").asText()).isEqualTo("1");
        assertThat(body.get("features")).extracting(JsonNode::asText).containsExactly("value");
        assertThat(body.get("targets")).extracting(JsonNode::asText).containsExactly("value");
        assertThat(body.get("hiddenSize").asInt()).isEqualTo(1);
        assertThat(body.get("stateSize").asInt()).isEqualTo(1);
        assertThat(body.get("source").asText()).isEqualTo("file:/models/p.zip");
        assertThat(body.get("lastRejection").isNull()).isTrue();
        assertThat(body.get("followingTopic").asBoolean()).isFalse();
        assertThat(body.get("lastTopicReadFailure").isNull()).isTrue();
    }

    @Test
    void reportsTheLastFailedReadOfTheModelsTopic() {
        ModelStatus.Snapshot status = new ModelStatus.Snapshot(TestingModels.persistence("1"), "test", Instant.EPOCH,
                0, Optional.empty(), true, Optional.of(new ModelStatus.TopicReadFailure("not authorized",
                        Instant.parse("2026-12-06T01:00:00Z"))));

        ModelView view = ModelView.of(status);

        assertThat(view.followingTopic()).isTrue();
        assertThat(view.lastTopicReadFailure()).isEqualTo(new ModelView.TopicReadFailureView("not authorized",
                "2026-12-06T01:00:00Z"));
    }

    @Test
    void reportsTheLastRejectedModel() throws Exception {
        models.offer(TestingModels.persistence("2", 1, "other"), "test");

        JsonNode rejection = json(get("/v1/model")).get("lastRejection");

        assertThat(rejection.get("model").asText()).isEqualTo("persistence/2");
        assertThat(rejection.get("reason").asText()).contains("features");
        assertThat(rejection.get("replayed").asBoolean()).isFalse();
    }

    @Test
    void anUnknownEndpointIsA404WithAJsonError() throws Exception {
        HttpResponse<String> response = get("/v2/nothing-%3Cb%3E");

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).get("error").asText()).isEqualTo("no_such_endpoint");
        assertThat(response.body()).doesNotContain("nothing", "<b>");
    }

    // ---- health

    @Test
    void readyOnlyWhileRunningBeforeTheFirstRun() throws Exception {
        for (KafkaStreams.State state : KafkaStreams.State.values()) {
            keyStates.state = state;
            HttpResponse<String> response = get("/health/ready");
            assertThat(response.statusCode()).as("ready in %s", state)
                    .isEqualTo(state == KafkaStreams.State.RUNNING ? 200 : 503);
            assertThat(json(response).get("state").asText()).isEqualTo(state.name());
        }
    }

    @Test
    void readyWhileRunningOrRebalancingOnceItHasRun() throws Exception {
        keyStates.hasRun = true;
        for (KafkaStreams.State state : KafkaStreams.State.values()) {
            keyStates.state = state;
            assertThat(get("/health/ready").statusCode()).as("ready in %s", state).isEqualTo(
                    state == KafkaStreams.State.RUNNING || state == KafkaStreams.State.REBALANCING ? 200 : 503);
        }
    }

    @Test
    void notReadyWhileRunningUntilItsStoresHaveCaughtUp() throws Exception {
        keyStates.hasRun = true;
        keyStates.caughtUp = false;

        HttpResponse<String> response = get("/health/ready");

        assertThat(response.statusCode()).isEqualTo(503);
        assertThat(json(response).get("storesCaughtUp").asBoolean()).isFalse();
        assertThat(json(response).get("state").asText()).isEqualTo("RUNNING");
    }

    @Test
    void theReadinessGaugeSaysWhatTheReadinessEndpointDoes() throws Exception {
        keyStates.hasRun = true;
        assertThat(get("/metrics").body()).containsPattern("(?m)^gru_ready 1\\.0$");

        keyStates.caughtUp = false;

        assertThat(get("/metrics").body()).containsPattern("(?m)^gru_ready 0\\.0$");
    }

    @Test
    void notReadyOnceAskedToStopThoughStillRunning() throws Exception {
        keyStates.hasRun = true;
        closing.set(true);

        assertThat(get("/health/ready").statusCode()).isEqualTo(503);
    }

    @Test
    void liveUnlessTheStreamsClientFailed() throws Exception {
        for (KafkaStreams.State state : KafkaStreams.State.values()) {
            keyStates.state = state;
            boolean failed = state == KafkaStreams.State.ERROR || state == KafkaStreams.State.PENDING_ERROR
                    || state == KafkaStreams.State.NOT_RUNNING;
            assertThat(get("/health/live").statusCode()).as("live in %s", state).isEqualTo(failed ? 503 : 200);
        }
    }

    @Test
    void stoppedOnRequestIsStillLive() throws Exception {
        keyStates.state = KafkaStreams.State.NOT_RUNNING;
        closing.set(true);

        assertThat(get("/health/live").statusCode()).isEqualTo(200);
    }

    // ---- metrics and the API description

    @Test
    void metricsAreInThePrometheusTextFormat() throws Exception {
        Counter.builder("gru.test.counter").register(metrics).increment(3);

        HttpResponse<String> response = get("/metrics");

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("text/plain"));
        assertThat(response.body()).contains("gru_test_counter_total 3.0",
                "gru_model_swaps_total{outcome=\"applied\"}");
    }

    @Test
    void everyPathOfTheOpenApiDescriptionIsServed() throws Exception {
        keyStates.states.put("k", state(1, 0.1));
        HttpResponse<String> document = get("/v1/openapi.yaml");
        JsonNode paths = new YAMLMapper().readTree(document.body()).get("paths");

        assertThat(document.statusCode()).isEqualTo(200);
        List<String> served = new ArrayList<>();
        for (Iterator<String> names = paths.fieldNames(); names.hasNext(); ) {
            String path = names.next();
            HttpResponse<String> response = get(path.replace("{key}", "k"));
            assertThat(response.statusCode()).as(path).isEqualTo(200);
            served.add(path);
        }
        assertThat(served).containsExactlyInAnyOrder("/v1/series/{key}", "/v1/series", "/v1/model",
                "/v1/openapi.yaml", "/health/live", "/health/ready", "/metrics");
    }
}
