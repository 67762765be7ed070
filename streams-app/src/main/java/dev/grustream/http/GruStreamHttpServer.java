package dev.grustream.http;

import dev.grustream.config.OperatorException;
import dev.grustream.forecast.KeyState;
import dev.grustream.topology.LogThrottle;
import io.javalin.Javalin;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import io.javalin.util.JavalinBindException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.eclipse.jetty.http.UriCompliance;
import org.eclipse.jetty.server.ConnectionLimit;
import org.eclipse.jetty.util.BlockingArrayQueue;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The HTTP endpoints of one instance: interactive queries of key states, the model, health and metrics.
 *
 * <pre>
 *   GET /v1/series/{key}   a key's state, from whichever instance holds it (forwarded there)
 *   GET /v1/series?limit=N keys this instance holds
 *   GET /v1/model          the model being served
 *   GET /v1/openapi.yaml   this API's description
 *   GET /health/live       200 unless the streams client failed
 *   GET /health/ready      200 while the streams client is RUNNING, or REBALANCING once it has run, with its stores
 *                          caught up once since it first ran, and not asked to stop ({@link Health#isReady})
 *   GET /metrics           Prometheus text format
 * </pre>
 *
 * <p>With a token ({@code http.auth.token}), every endpoint but {@code /health/*} answers 401 to a request without
 * {@code Authorization: Bearer <token>}, and forwarded queries carry it: every instance must have the same.
 *
 * <p>Every error is a JSON body {@code {"status": 503, "error": "rebalancing", "message": "..."}}; a 503 carries
 * {@code Retry-After}. Keys arrive percent-encoded in the path ({@code %2F} for a slash); they are decoded here,
 * length-checked, and never echoed into messages.
 *
 * <p>Lifecycle: {@link #start} binds the port at once (the port must be known to build the streams client's
 * {@code application.server}); until {@link #attach} hands it the key states, data endpoints answer 503 and
 * readiness is false. {@link #close()} stops serving. Thread-safe.
 */
public final class GruStreamHttpServer implements AutoCloseable {
    /** Header naming the instance that holds the key and answered a series query, forwarded or not. */
    public static final String SERVED_BY_HEADER = "X-Gru-Served-By";
    /** Header set on a forwarded query, so that a second hop is refused rather than looping. */
    static final String FORWARDED_HEADER = "X-Gru-Forwarded-By";
    /** Header of a forwarded query's {@code owner_moved}: the instance that answering one takes for the key's. */
    static final String OWNER_HEADER = "X-Gru-Owner";
    static final int DEFAULT_KEY_LIMIT = 100;
    static final int MAX_KEY_LIMIT = 1000;
    /** Most bytes of key ids one listing holds: 1,000 keys of the longest ids a topology may accept would be 400 MB. */
    static final long MAX_LISTED_KEY_BYTES = 4L << 20;
    private static final int RETRY_AFTER_SECONDS = 1;
    /** Server threads: the health, metrics and local queries keep some while forwards wait on other instances. */
    private static final int MAX_THREADS = 16;
    /** Requests waiting for a server thread; beyond it Jetty refuses more rather than queueing them without end. */
    private static final int MAX_QUEUED_REQUESTS = 1_024;
    /**
     * Open connections: beyond it the server stops accepting until one closes, so that many slow or idle clients
     * (each holding a request head's buffer) cannot take the heap. Scrapes, health checks and queries need few.
     */
    static final int MAX_CONNECTIONS = 256;
    /**
     * Most queries forwarded at once. A forward holds its server thread until the owner answers or
     * {@code http.forward.timeout.ms} passes; without a bound, a peer that stops answering would let queries for its
     * keys take every thread, and the liveness probe would fail on an instance that is healthy.
     */
    static final int MAX_FORWARDS = MAX_THREADS / 2;
    /**
     * How many pauses after its own ended a paused instance that no query asked again is forgotten: by then it has
     * most likely left the group (Kafka's session timeout, 45 s by default, is under 5 pauses at the default forward
     * timeout), and the map of paused instances stays bounded while instances come and go.
     */
    private static final int FORGOTTEN_AFTER_PAUSES = 10;
    /** The least limit on a peer's answer to a forwarded query ({@link #forwardedAnswerLimit}). */
    static final int MIN_FORWARDED_ANSWER_BYTES = 4 << 20;
    /** The greatest: with {@link #MAX_FORWARDS} read at once, at most about 1 GiB of heap at the worst. */
    static final int MAX_FORWARDED_ANSWER_BYTES = 64 << 20;
    private static final String SERIES_PREFIX = "/v1/series/";
    private static final String AUTHORIZATION = "Authorization";
    private static final String BEARER = "Bearer ";
    /** Request header bytes besides a series key: the request line's other parts and the headers. */
    private static final int REQUEST_HEADER_ROOM = 8 * 1024;
    /** The most a request's line and headers may take: the path of a key of about 85,000 bytes. */
    private static final long MAX_REQUEST_HEADER_BYTES = 256 * 1024;
    private static final String JSON = "application/json";
    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final Logger LOG = LoggerFactory.getLogger(GruStreamHttpServer.class);

    /**
     * What the endpoints need besides the key states.
     *
     * @param maxAnswerBytes the most a peer's answer to a forwarded query may take ({@link #forwardedAnswerLimit})
     * @param authToken the bearer token every endpoint but {@code /health/*} asks for, and forwarded queries carry;
     *     null for none
     */
    public record Settings(String bindAddress, int port, String advertisedHost, Duration forwardTimeout,
            int maxKeyBytes, int maxAnswerBytes, double anomalyThreshold, long neverAlerted, Password authToken) {
        public Settings {
            if (maxAnswerBytes <= 0) {
                throw new IllegalArgumentException("maxAnswerBytes must be above 0, found " + maxAnswerBytes);
            }
        }
    }

    /**
     * The most a peer's answer to a forwarded query may take, so that a faulty or hostile peer cannot exhaust this
     * instance's heap: a key's state answers in less than its stored form, which fits the producer's
     * {@code max.request.size}, with its key escaped in JSON up to six times its bytes; twice that, at least 4 MiB
     * and at most 64 MiB. A longer answer counts as none.
     */
    public static int forwardedAnswerLimit(int producerMaxRequestSize, int maxKeyBytes) {
        long limit = 2L * producerMaxRequestSize + 6L * maxKeyBytes;
        return (int) Math.min(MAX_FORWARDED_ANSWER_BYTES, Math.max(MIN_FORWARDED_ANSWER_BYTES, limit));
    }

    private final Settings settings;
    private final ModelStatus model;
    private final PrometheusMeterRegistry metrics;
    private final BooleanSupplier closing;
    private final HttpClient client;
    private final byte[] openApi;
    private final Semaphore forwards = new Semaphore(MAX_FORWARDS);
    /**
     * Ten lines a minute per peer about forwards to it that failed, the others at DEBUG: a peer refusing connections
     * is asked again at every query for its keys until the group notices it left.
     */
    private final LogThrottle forwardFailures = LogThrottle.tenAMinute();
    /**
     * The instances not to ask ({@link #unresponsivePause}), by endpoint, each with the {@link System#nanoTime()}
     * until which it is passed by. An entry stays past that time, so that one query asks its instance again
     * ({@link #mayAsk}); it goes when its instance answers or fails at once, or, when another is added, if its pause
     * ended {@link #FORGOTTEN_AFTER_PAUSES} pauses before.
     */
    private final ConcurrentHashMap<String, Long> unresponsive = new ConcurrentHashMap<>();
    private final Javalin app;
    private volatile KeyStateSource source;
    private volatile HostInfo self;

    private GruStreamHttpServer(Settings settings, ModelStatus model, PrometheusMeterRegistry metrics,
            BooleanSupplier closing) {
        this.settings = settings;
        this.model = model;
        this.metrics = metrics;
        this.closing = closing;
        // Straight to the other instances, whatever proxy the JVM's settings name for other connections.
        this.client = HttpClient.newBuilder().connectTimeout(settings.forwardTimeout())
                .proxy(HttpClient.Builder.NO_PROXY).build();
        this.openApi = resource("/openapi.yaml");
        this.app = Javalin.create(config -> {
            config.showJavalinBanner = false;
            config.startupWatcherEnabled = false;
            config.jetty.threadPool = new QueuedThreadPool(MAX_THREADS, 2, 60_000,
                    new BlockingArrayQueue<>(MAX_QUEUED_REQUESTS));
            // A key may hold any character; %2F must reach the handler as part of the key, not as a separator.
            config.jetty.modifyHttpConfiguration(http -> {
                http.setUriCompliance(UriCompliance.LEGACY);
                // Room for the longest key the service accepts, percent-encoded (3 characters a byte), in the path,
                // up to a bound: Jetty holds a request's head in memory until it is complete.
                http.setRequestHeaderSize((int) Math.max(http.getRequestHeaderSize(),
                        Math.min(3L * settings.maxKeyBytes() + REQUEST_HEADER_ROOM, MAX_REQUEST_HEADER_BYTES)));
            });
            config.jetty.modifyServer(server -> {
                server.setErrorHandler(new JsonErrorHandler());
                server.addBean(new ConnectionLimit(MAX_CONNECTIONS, server));
            });
            config.router.mount(router -> router
                    .before(ctx -> {
                        ctx.header("X-Content-Type-Options", "nosniff").header("Cache-Control", "no-store");
                        // The probes stay open: an orchestrator's health checks carry no credentials.
                        if (settings.authToken() != null && !ctx.path().startsWith("/health/")
                                && !authorized(ctx.header(AUTHORIZATION))) {
                            ctx.header("WWW-Authenticate", "Bearer");
                            throw HttpProblem.unauthorized("unauthorized", "This endpoint needs the header"
                                    + " Authorization: Bearer <http.auth.token>");
                        }
                    })
                    .get("/health/live", this::live)
                    .get("/health/ready", this::ready)
                    .get("/metrics", this::metrics)
                    .get("/v1/model", ctx -> json(ctx, 200, ModelView.of(model.snapshot())))
                    .get("/v1/openapi.yaml", ctx -> ctx.contentType("application/yaml").result(openApi))
                    .get("/v1/series", this::keys)
                    .get("/v1/series/<key>", this::series)
                    .exception(HttpProblem.class, this::problem)
                    .exception(InvalidStateStoreException.class, (e, ctx) -> problem(HttpProblem.unavailable(
                            "store_unavailable", "The state store is not available here right now (it is being"
                                    + " restored or moved between instances)", RETRY_AFTER_SECONDS), ctx))
                    .exception(HttpResponseException.class, (e, ctx) -> error(ctx, e.getStatus(),
                            e.getStatus() == 404 ? "no_such_endpoint" : "http_" + e.getStatus(),
                            e.getStatus() == 404 ? "No such endpoint; see /v1/openapi.yaml" : "Request refused"))
                    .exception(Exception.class, (e, ctx) -> {
                        LOG.error("HTTP {} {} failed", ctx.method(), ctx.endpointHandlerPath(), e);
                        error(ctx, 500, "internal_error", "The request failed inside the service; see its log");
                    }));
        });
    }

    /**
     * Starts serving on {@code settings.bindAddress():settings.port()} (port 0 picks a free one).
     *
     * @throws IllegalStateException if the address cannot be bound
     */
    public static GruStreamHttpServer start(Settings settings, ModelStatus model, PrometheusMeterRegistry metrics,
            BooleanSupplier closing) {
        GruStreamHttpServer server = new GruStreamHttpServer(settings, model, metrics, closing);
        try {
            server.app.start(settings.bindAddress(), settings.port());
        } catch (JavalinBindException e) {
            // Javalin says "Port already in use" for every failure to bind: the root cause says which it was.
            Throwable cause = e;
            while (cause.getCause() != null) {
                cause = cause.getCause();
            }
            throw new OperatorException("Cannot serve HTTP on " + settings.bindAddress() + ":" + settings.port()
                    + ": " + cause.getMessage() + ". Check http.bind.address (an address of this host) and http.port"
                    + " (a free port; one below 1024 needs privileges)", e);
        }
        server.self = new HostInfo(settings.advertisedHost(), server.port());
        Gauge.builder("gru.ready", server, it -> it.readiness().ready() ? 1 : 0)
                .description("1 while GET /health/ready answers 200, else 0").register(metrics);
        LOG.info("HTTP endpoints on {}:{}, advertised to other instances as {}", settings.bindAddress(),
                server.port(), server.advertisedEndpoint());
        return server;
    }

    /** The bound port. */
    public int port() {
        return app.port();
    }

    /** This instance as other instances reach it. */
    public HostInfo advertised() {
        return self;
    }

    /** {@code host:port} of {@link #advertised()}: the value of Kafka Streams' {@code application.server}. */
    public String advertisedEndpoint() {
        return endpoint(self);
    }

    private static String endpoint(HostInfo host) {
        return host.host() + ":" + host.port();
    }

    /** Starts answering data queries from {@code keyStates}. */
    public void attach(KeyStateSource keyStates) {
        this.source = keyStates;
    }

    @Override
    public void close() {
        app.stop();
    }

    private KafkaStreams.State state() {
        KeyStateSource current = source;
        return current == null ? KafkaStreams.State.CREATED : current.state();
    }

    private void live(Context ctx) {
        KafkaStreams.State state = state();
        boolean live = Health.isLive(state, closing.getAsBoolean());
        json(ctx, live ? 200 : 503, Map.of("status", live ? "UP" : "DOWN", "state", state.name()));
    }

    private void ready(Context ctx) {
        Readiness readiness = readiness();
        if (!readiness.ready()) {
            ctx.header("Retry-After", String.valueOf(RETRY_AFTER_SECONDS));
        }
        json(ctx, readiness.ready() ? 200 : 503, Map.of("status", readiness.ready() ? "UP" : "DOWN", "state",
                readiness.state().name(), "storesCaughtUp", readiness.caughtUp()));
    }

    private record Readiness(KafkaStreams.State state, boolean caughtUp, boolean ready) {
    }

    /** What {@code /health/ready} and {@code gru_ready} answer. */
    private Readiness readiness() {
        KeyStateSource current = source;
        KafkaStreams.State state = current == null ? KafkaStreams.State.CREATED : current.state();
        boolean caughtUp = current != null && current.caughtUp();
        // Not once asked to stop: the client stays RUNNING while the model watcher closes first, and an orchestrator
        // should stop routing to this instance before its stores go.
        boolean ready = Health.isReady(state, current != null && current.hasRun()) && caughtUp
                && !closing.getAsBoolean();
        return new Readiness(state, caughtUp, ready);
    }

    private void metrics(Context ctx) {
        ctx.contentType(PROMETHEUS_TEXT).result(metrics.scrape());
    }

    private void keys(Context ctx) {
        int limit = limit(ctx.queryParam("limit"), ctx.queryString());
        KeyStateSource keyStates = running();
        List<String> keys;
        long count;
        try {
            keys = keyStates.keys(limit, MAX_LISTED_KEY_BYTES);
            count = keyStates.approximateCount();
        } catch (InvalidStateStoreException e) {
            if (holdsActiveStores(keyStates)) {
                throw e;
            }
            keys = List.of(); // An instance with only standby copies, or no task: it holds no key.
            count = 0;
        }
        json(ctx, 200, Map.of("instance", advertisedEndpoint(), "keys", keys, "approximateCount", count));
    }

    /** The {@code limit} asked for; Javalin leaves out a value it cannot decode, so the raw query is looked at too. */
    private static int limit(String parameter, String query) {
        if (parameter == null && !namesParameter(query, "limit")) {
            return DEFAULT_KEY_LIMIT;
        }
        try {
            int limit = Integer.parseInt(parameter);
            if (limit >= 1 && limit <= MAX_KEY_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // Falls through to the same answer as an out-of-range number.
        }
        throw HttpProblem.badRequest("invalid_limit", "limit must be an integer from 1 to " + MAX_KEY_LIMIT);
    }

    private static boolean namesParameter(String query, String name) {
        return query != null && Arrays.stream(query.split("&")).anyMatch(pair -> pair.split("=", 2)[0].equals(name));
    }

    /**
     * A key's state: from this instance's stores, else from the instance Kafka Streams says the key hashes to, else
     * from the others. The hash is Java's default partitioner's: a key its producer placed otherwise (librdkafka's
     * clients, a custom partitioner) or a series id of {@code input.key.fields} may be held anywhere.
     */
    private void series(Context ctx) {
        String key = SeriesKeys.decode(ctx.req().getRequestURI().substring(SERIES_PREFIX.length()),
                settings.maxKeyBytes());
        KeyStateSource keyStates = running();
        KeyState state;
        InvalidStateStoreException unreadableHere = null;
        try {
            state = localState(keyStates, key);
        } catch (InvalidStateStoreException e) {
            if (ctx.header(FORWARDED_HEADER) != null) {
                throw e;
            }
            // Restoring or moving its own stores: another instance may hold the key, and can answer meanwhile.
            state = null;
            unreadableHere = e;
        }
        if (state != null) {
            answer(ctx, key, state);
            return;
        }
        HostInfo owner = keyStates.locate(key).filter(host -> host.port() >= 0).orElseThrow(() ->
                HttpProblem.unavailable("owner_unknown", "Which instance holds this key is not known yet (starting"
                        + " or rebalancing)", RETRY_AFTER_SECONDS));
        boolean ownedHere = sameInstance(owner, self);
        if (ctx.header(FORWARDED_HEADER) != null) {
            if (ownedHere) {
                throw keyNotFound();
            }
            ctx.header(OWNER_HEADER, endpoint(owner));
            throw HttpProblem.unavailable("owner_moved", "The instance this query was forwarded to does not hold"
                    + " the key (it is elsewhere, or moving)", RETRY_AFTER_SECONDS);
        }
        if (!forwards.tryAcquire()) {
            throw HttpProblem.unavailable("forwards_busy", "Too many queries are being forwarded to other instances"
                    + " right now", RETRY_AFTER_SECONDS);
        }
        try {
            // One deadline for every instance asked, so that a query holds its thread at most that long.
            long deadline = System.nanoTime() + settings.forwardTimeout().toNanos();
            // The owner the hash names first, then every other instance.
            List<HostInfo> asked = new ArrayList<>();
            if (!ownedHere) {
                asked.add(owner);
            }
            keyStates.instances().stream().filter(other -> !sameInstance(other, self) && !sameInstance(other, owner))
                    .forEach(asked::add);
            boolean allSaidNotHeld = true;
            boolean tokenRefused = false;
            boolean otherwiseUnanswered = false;
            for (HostInfo instance : asked) {
                HttpResponse<byte[]> answer = ask(instance, key, deadline);
                if (answer != null && answer.statusCode() == 200 && isJson(answer)) {
                    relay(ctx, answer);
                    return;
                }
                boolean notHeld = saysNotHeld(answer) && !namesAnotherOwner(answer, asked);
                if (refusedTheToken(answer)) {
                    tokenRefused = true;
                    LogThrottle.Told told = forwardFailures.tell(endpoint(instance), Level.WARN);
                    LOG.atLevel(told.level()).log("Instance {} refused a forwarded query with 401: it asks for"
                            + " another http.auth.token than this one (every instance needs the same){}",
                            endpoint(instance), told.heldBack());
                } else {
                    otherwiseUnanswered |= !notHeld;
                }
                allSaidNotHeld &= notHeld;
            }
            if (unreadableHere != null) {
                // No other instance holds it: it may be in the stores this one cannot read yet.
                throw unreadableHere;
            }
            if (tokenRefused && !otherwiseUnanswered) {
                // Retrying cannot help until the tokens agree: no Retry-After.
                throw HttpProblem.badGateway("peer_unauthorized", "An instance that may hold this key refused this"
                        + " instance's http.auth.token; every instance needs the same");
            }
            if (!allSaidNotHeld) {
                // Not a 404: the one that did not answer, or could not look (restoring, rebalancing), may hold it.
                throw HttpProblem.unavailable("owner_unreachable", "An instance that may hold this key did not"
                        + " answer within http.forward.timeout.ms or could not look yet (restoring or rebalancing)"
                        + (tokenRefused ? "; another refused this instance's http.auth.token" : ""),
                        RETRY_AFTER_SECONDS);
            }
            // Every instance asked said it does not hold the key, the owner too (its refusals, its limit on keys, its
            // server's on paths, a partition it just gave up, mean the same): answered here, in this instance's terms.
            throw keyNotFound();
        } finally {
            forwards.release();
        }
    }

    /**
     * The key's state in this instance's stores, or null. An instance whose active tasks hold no key states (one
     * with only standby copies, or none) cannot read its stores, and holds no key: null, so that it asks the others.
     * One whose active stores are being restored or moved cannot read them either: it throws, and a query that was
     * not forwarded asks the others before it answers 503.
     */
    private KeyState localState(KeyStateSource keyStates, String key) {
        try {
            return keyStates.get(key);
        } catch (InvalidStateStoreException e) {
            if (holdsActiveStores(keyStates)) {
                throw e;
            }
            return null;
        }
    }

    private boolean holdsActiveStores(KeyStateSource keyStates) {
        return keyStates.instances().stream().anyMatch(instance -> sameInstance(instance, self));
    }

    /**
     * Whether a forwarded query's answer says that instance does not hold the key: its {@code key_not_found} or
     * {@code owner_moved}, the two answers of a forwarded query whose stores were read and had no state for it, or
     * its refusal of the key ({@code key_too_long}, or its server's 414 or 431 for a path that long, during a rolling
     * change of {@code input.max.key.bytes}; {@code invalid_key}), which it cannot answer for either. Other answers
     * (a 503 while its stores restore, a 403 from a proxy between instances, none) may come from an instance that
     * holds the key.
     */
    private static boolean saysNotHeld(HttpResponse<byte[]> answer) {
        if (answer == null || answer.statusCode() < 400) {
            return false;
        }
        if (answer.statusCode() == 414 || answer.statusCode() == 431) {
            return true; // Its server refused a path this long: a key beyond its limit, which it cannot hold.
        }
        String error = Json.errorCode(answer.body());
        return error != null && switch (answer.statusCode()) {
            case 404 -> error.equals("key_not_found");
            case 503 -> error.equals("owner_moved");
            case 400 -> error.equals("key_too_long") || error.equals("invalid_key");
            default -> false;
        };
    }

    /** Whether {@code answer} is gru-stream's 401 for a token it does not take, not a proxy's. */
    private static boolean refusedTheToken(HttpResponse<byte[]> answer) {
        return answer != null && answer.statusCode() == 401 && "unauthorized".equals(Json.errorCode(answer.body()));
    }

    /**
     * Whether {@code answer} is an {@code owner_moved} naming an instance other than this one and those
     * {@code asked}: one this instance's metadata does not know as an owner yet (a partition that just moved to an
     * instance it does not list), which may hold the key. Not asked here: an address a peer names is not followed.
     */
    private boolean namesAnotherOwner(HttpResponse<byte[]> answer, List<HostInfo> asked) {
        Optional<HostInfo> named = answer == null ? Optional.empty()
                : answer.headers().firstValue(OWNER_HEADER).flatMap(GruStreamHttpServer::hostInfo);
        return named.isPresent() && !sameInstance(named.get(), self)
                && asked.stream().noneMatch(instance -> sameInstance(instance, named.get()));
    }

    /** The {@link HostInfo} of an {@link #endpoint}, or empty if it is none. */
    private static Optional<HostInfo> hostInfo(String endpoint) {
        try {
            return Optional.ofNullable(HostInfo.buildFromEndpoint(endpoint));
        } catch (ConfigException e) {
            return Optional.empty();
        }
    }

    private static HttpProblem keyNotFound() {
        return HttpProblem.notFound("key_not_found", "No state for this key: no observation of it has been"
                + " processed, or it was evicted after being idle for state.ttl.ms");
    }

    /** Whether two addresses name one instance; Kafka Streams gives IPv6 hosts without their brackets. */
    private static boolean sameInstance(HostInfo a, HostInfo b) {
        return a.port() == b.port() && unbracketed(a.host()).equalsIgnoreCase(unbracketed(b.host()));
    }

    private static String unbracketed(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private void answer(Context ctx, String key, KeyState state) {
        ctx.header(SERVED_BY_HEADER, advertisedEndpoint());
        json(ctx, 200, SeriesView.of(key, state, model.active().spec(), settings.anomalyThreshold(),
                settings.neverAlerted()));
    }

    /**
     * The key states, if the instance is ready ({@link Health#isReady}); a 503 otherwise. While it rebalances, the
     * stores answer only once their stream thread has restored what it was given: until then a 503 as well
     * ({@code owner_unknown} or {@code store_unavailable}).
     */
    private KeyStateSource running() {
        KeyStateSource keyStates = source;
        KafkaStreams.State state = keyStates == null ? KafkaStreams.State.CREATED : keyStates.state();
        if (!Health.isReady(state, keyStates != null && keyStates.hasRun())) {
            throw HttpProblem.unavailable(state == KafkaStreams.State.REBALANCING ? "rebalancing" : "not_running",
                    "The instance is " + state + (state == KafkaStreams.State.REBALANCING
                            ? " and restoring its first assignment" : "") + "; key states can be queried once it runs",
                    RETRY_AFTER_SECONDS);
        }
        return keyStates;
    }

    /**
     * Asks another instance for a key's state, the whole exchange before {@code deadline} ({@link System#nanoTime()});
     * null when it cannot be reached, does not answer in time or answers beyond {@link Settings#maxAnswerBytes}.
     */
    private HttpResponse<byte[]> ask(HostInfo instance, String key, long deadline) {
        long remaining = deadline - System.nanoTime();
        if (remaining <= 0) {
            return null;
        }
        String encoded = URLEncoder.encode(key, StandardCharsets.UTF_8).replace("+", "%20");
        String host = unbracketed(instance.host());
        URI uri;
        try {
            uri = new URI("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + instance.port()
                    + SERIES_PREFIX + encoded);
            if (uri.getHost() == null) {
                throw new URISyntaxException(uri.toString(), "no host");
            }
        } catch (URISyntaxException e) {
            LogThrottle.Told told = forwardFailures.tell(endpoint(instance), Level.WARN);
            LOG.atLevel(told.level()).log("Instance {} advertises an address that is not a valid URL: {}{}",
                    endpoint(instance), e.getMessage(), told.heldBack());
            return null;
        }
        String peer = endpoint(instance);
        if (!mayAsk(peer, remaining)) {
            LOG.debug("Not forwarding a series query to {}: it did not answer a query lately", peer);
            return null;
        }
        HttpRequest.Builder asking = HttpRequest.newBuilder(uri).timeout(settings.forwardTimeout())
                .header(FORWARDED_HEADER, advertisedEndpoint());
        if (settings.authToken() != null) {
            asking.header(AUTHORIZATION, BEARER + settings.authToken().value());
        }
        HttpRequest request = asking.GET().build();
        long asked = System.nanoTime();
        CompletableFuture<HttpResponse<byte[]>> pending = client.sendAsync(request,
                BoundedBody.atMost(settings.maxAnswerBytes()));
        HttpResponse<byte[]> answer;
        try {
            // The request's own timeout ends when the headers arrive: a peer stalling in its body is bounded here.
            answer = pending.get(remaining, TimeUnit.NANOSECONDS);
        } catch (ExecutionException e) {
            pending.cancel(true);
            // The client's own timeouts (connecting, the headers) end near the wait's: the same silence.
            return noAnswer(peer, asked, e.getCause() instanceof HttpTimeoutException ? null : e.getCause());
        } catch (TimeoutException e) {
            pending.cancel(true);
            return noAnswer(peer, asked, null);
        } catch (InterruptedException e) {
            // Jetty interrupts its threads as the server stops: the query is refused as any other while stopping.
            pending.cancel(true);
            Thread.currentThread().interrupt();
            throw HttpProblem.unavailable("stopping", "This instance is stopping; ask another",
                    RETRY_AFTER_SECONDS);
        }
        unresponsive.remove(peer);
        return answer;
    }

    /**
     * Ends a query to {@code peer}, asked at {@code asked}, that got no answer: null. If it held the query for half
     * the forward timeout or more, the peer is paused, whether the wait ran out or the query failed that late (no
     * route to a host gone, found after the network's own timeout). A failure sooner (a refused connection) ends
     * any pause it had, as nothing is gained by passing it by; a wait that ran out sooner (a query with little time
     * left) leaves the pause as it is.
     *
     * @param failure why the query failed, or null when the wait, or the client's own timeout, ran out
     */
    private HttpResponse<byte[]> noAnswer(String peer, long asked, Throwable failure) {
        long now = System.nanoTime();
        boolean paused = now - asked >= settings.forwardTimeout().toNanos() / 2;
        long pause = unresponsivePause(settings.forwardTimeout()).toNanos();
        if (paused) {
            unresponsive.values().removeIf(until -> now - until >= FORGOTTEN_AFTER_PAUSES * pause);
            unresponsive.put(peer, now + pause);
        } else if (failure != null) {
            unresponsive.remove(peer);
        }
        LogThrottle.Told told = forwardFailures.tell(peer, Level.WARN);
        LOG.atLevel(told.level()).log("Forwarding a series query to {} failed after {} ms: {}{}{}", peer,
                TimeUnit.NANOSECONDS.toMillis(now - asked), failure == null ? "no answer" : failure.toString(),
                paused ? "; it is not asked again for " + TimeUnit.NANOSECONDS.toMillis(pause) + " ms" : "",
                told.heldBack());
        return null;
    }

    /**
     * How long an instance that held a forwarded query for half of {@code forwardTimeout} or more without answering
     * is not asked again (10 s at the default 5 s): a peer whose host went dark (its node lost, a network policy
     * dropping its packets) stays in Kafka's metadata until its session times out, and every query for its keys would
     * hold a forward for the whole timeout, until {@link #MAX_FORWARDS} of them refused the forwards to every other
     * peer. Once the pause is over, one query asks it again while the others still pass it by: at most one forward in
     * three waits on it.
     */
    static Duration unresponsivePause(Duration forwardTimeout) {
        return forwardTimeout.multipliedBy(2);
    }

    /**
     * Whether to ask {@code peer} now, given {@code remaining} nanoseconds: not while it is paused for not answering;
     * once its pause is over, a query with at least half the forward timeout left asks it, so that no answer in time
     * pauses it again, and the others pass it by until that query has its answer or none.
     */
    private boolean mayAsk(String peer, long remaining) {
        Long until = unresponsive.get(peer);
        if (until == null) {
            return true;
        }
        long now = System.nanoTime();
        long timeout = settings.forwardTimeout().toNanos();
        return now - until >= 0 && remaining >= timeout / 2
                && unresponsive.replace(peer, until, now + remaining + unresponsivePause(settings.forwardTimeout())
                        .toNanos());
    }

    /**
     * Whether an answer is JSON, as an instance's is: anything else (a page of HTML from whatever answers at an address
     * the group was told of) is not relayed under this instance's name.
     */
    private static boolean isJson(HttpResponse<byte[]> answer) {
        return answer.headers().firstValue("Content-Type")
                .filter(type -> type.toLowerCase(Locale.ROOT).startsWith(JSON)).isPresent();
    }

    /** Relays another instance's answer unchanged. */
    private static void relay(Context ctx, HttpResponse<byte[]> response) {
        ctx.status(response.statusCode());
        for (String header : List.of("Content-Type", "Retry-After", SERVED_BY_HEADER)) {
            response.headers().firstValue(header).ifPresent(value -> ctx.header(header, value));
        }
        ctx.result(response.body());
    }

    /** Whether {@code header} holds this instance's token (the scheme in any case), compared in constant time. */
    private boolean authorized(String header) {
        if (header == null || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
            return false;
        }
        return MessageDigest.isEqual(settings.authToken().value().getBytes(StandardCharsets.UTF_8),
                header.substring(BEARER.length()).getBytes(StandardCharsets.UTF_8));
    }

    private void problem(HttpProblem problem, Context ctx) {
        if (problem.retryAfterSeconds() > 0) {
            ctx.header("Retry-After", String.valueOf(problem.retryAfterSeconds()));
        }
        error(ctx, problem.status(), problem.error(), problem.getMessage());
    }

    private static void error(Context ctx, int status, String error, String message) {
        json(ctx, status, Map.of("status", status, "error", error, "message", message));
    }

    private static void json(Context ctx, int status, Object body) {
        ctx.status(status).contentType(JSON).result(Json.write(body));
    }

    private static byte[] resource(String path) {
        try (InputStream in = GruStreamHttpServer.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("The resource " + path + " is missing from the classpath");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the resource " + path, e);
        }
    }
}
