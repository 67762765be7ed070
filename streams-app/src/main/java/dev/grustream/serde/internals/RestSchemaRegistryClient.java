package dev.grustream.serde.internals;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.grustream.serde.SchemaMetadata;
import dev.grustream.serde.SchemaRegistryClient;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import java.io.EOFException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProxySelector;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import org.apache.avro.Schema;
import org.apache.kafka.common.errors.InterruptException;

/**
 * A {@link SchemaRegistryClient} speaking Confluent's REST API over the JDK's {@link HttpClient}, without caching
 * (wrap it in {@link CachingSchemaRegistryClient}).
 *
 * <p>Fail-over: a request that cannot connect, times out or gets a 5xx, 408 or 429 answer is tried on the next
 * endpoint; the endpoint that last answered is tried first next time. When every endpoint failed, the round is retried
 * up to {@link Options#maxRetries()} times after waits that double from {@link Options#retryWait()} up to {@link
 * Options#retryMaxWait()} (Confluent's {@code max.retries}, {@code retries.wait.ms}, {@code retries.max.wait.ms});
 * then the request throws {@link SchemaRegistryUnavailableException}. Another 4xx answer throws {@link
 * SchemaRegistryException} at once, as another instance of the same registry would give the same answer; so does a TLS
 * handshake that TLS itself refuses (a certificate not trusted or naming another host, a client certificate the
 * registry refuses), which no retry mends; one cut short is an outage.
 *
 * <p>With {@link Options#tokens()}, every request carries the current OAuth token; a request answered 401 is sent once
 * more with a new token, as a token can be revoked before it expires.
 *
 * <p>A schema that references others (Confluent's schema references: a subject and version for each named type it
 * uses) is parsed after the schemas it references, fetched by subject and version, their own references first.
 *
 * <p>Thread-safe; the JDK client it holds owns its threads and connections and needs no closing on Java 17.
 */
public final class RestSchemaRegistryClient implements SchemaRegistryClient {
    private static final int MAX_BODY_IN_MESSAGE = 300;
    /** The longest answer read: far above any schema, far below what would strain the heap. */
    public static final int MAX_ANSWER_BYTES = 16 << 20;
    /** Most schemas one schema may reference, directly or not: a bound on the requests one answer can cause. */
    private static final int MAX_REFERENCES = 100;
    /** The JDK's message for a TLS handshake the peer closed the connection in. */
    private static final String HANDSHAKE_CUT_SHORT = "Remote host terminated the handshake";

    /**
     * One registry instance: its base URI (without user info) and the headers that authenticate requests to it (an
     * Authorization header, and with a bearer token the targets Confluent Cloud asks for), if any.
     */
    public record Endpoint(URI baseUri, Map<String, String> authHeaders) {
        public Endpoint {
            Objects.requireNonNull(baseUri, "baseUri");
            authHeaders = Map.copyOf(authHeaders);
            if (baseUri.getUserInfo() != null) {
                throw new IllegalArgumentException("baseUri: expected no user info (pass credentials as an "
                        + "Authorization header), found some in a URI for host " + baseUri.getHost());
            }
        }

        @Override
        public String toString() {
            return baseUri.toString();
        }
    }

    /**
     * How requests are sent. Immutable.
     *
     * @param tls the TLS of https endpoints, or empty for the JVM's default (its trust store, its protocols)
     * @param proxy the HTTP proxy every request goes through (https ones by CONNECT), or empty for none
     * @param normalize whether the registry is asked to normalize schemas before registering or looking them up
     * @param maxRetries rounds over every endpoint repeated after the first fails, {@code >= 0}
     * @param tokens the OAuth bearer tokens every request carries, or empty when the endpoints' own headers
     *     authenticate them
     */
    public record Options(Duration connectTimeout, Duration requestTimeout, Optional<Tls> tls,
            Optional<InetSocketAddress> proxy, boolean normalize, int maxRetries, Duration retryWait,
            Duration retryMaxWait, Optional<OAuthBearerTokens> tokens) {
        public Options {
            Objects.requireNonNull(connectTimeout, "connectTimeout");
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            Objects.requireNonNull(tls, "tls");
            Objects.requireNonNull(proxy, "proxy");
            Objects.requireNonNull(tokens, "tokens");
            if (maxRetries < 0 || retryWait.isNegative() || retryMaxWait.isNegative()) {
                throw new IllegalArgumentException("maxRetries, retryWait and retryMaxWait must not be negative");
            }
        }
    }

    /** The TLS context of https endpoints and the protocols and cipher suites it may use; neither changes once made. */
    public record Tls(SSLContext context, SSLParameters parameters) {
        public Tls {
            Objects.requireNonNull(context, "context");
            Objects.requireNonNull(parameters, "parameters");
        }
    }

    private static final int UNAUTHORIZED = 401;
    private static final int TOO_MANY_REQUESTS = 429;
    /** A proxy's or the registry's "took too long to send the request": transient, as a 5xx is. */
    private static final int REQUEST_TIMEOUT = 408;

    private final List<Endpoint> endpoints;
    private final Options options;
    private final HttpClient http;
    private final ObjectMapper json = new ObjectMapper();
    private final AtomicInteger preferred = new AtomicInteger();

    public RestSchemaRegistryClient(List<Endpoint> endpoints, Options options) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: expected at least one registry endpoint, found none");
        }
        this.endpoints = List.copyOf(endpoints);
        this.options = Objects.requireNonNull(options, "options");
        // HTTP/1.1 because the JDK's default (HTTP/2 with an h2c upgrade on plain http) buys nothing for a few small
        // JSON calls and trips some proxies in front of registries.
        HttpClient.Builder builder = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(options.connectTimeout());
        options.tls().ifPresent(tls -> builder.sslContext(tls.context()).sslParameters(tls.parameters()));
        options.proxy().ifPresent(proxy -> builder.proxy(ProxySelector.of(proxy)));
        this.http = builder.build();
    }

    @Override
    public int register(String subject, Schema schema) {
        JsonNode answer = send("POST", "/subjects/" + RegistryApi.encodeSegment(subject) + "/versions"
                + normalizeQuery(), schemaBody(schema));
        return intField(answer, RegistryApi.FIELD_ID, "POST /subjects/{subject}/versions");
    }

    @Override
    public int getId(String subject, Schema schema) {
        JsonNode answer = send("POST", "/subjects/" + RegistryApi.encodeSegment(subject) + normalizeQuery(),
                schemaBody(schema));
        return intField(answer, RegistryApi.FIELD_ID, "POST /subjects/{subject}");
    }

    @Override
    public Schema getSchemaById(int id) {
        String path = "/schemas/ids/" + id;
        JsonNode answer = send("GET", path, null);
        return schemaField(answer, "GET " + path);
    }

    @Override
    public SchemaMetadata getLatestSchemaMetadata(String subject) {
        String path = "/subjects/" + RegistryApi.encodeSegment(subject) + "/versions/latest";
        JsonNode answer = send("GET", path, null);
        String what = "GET /subjects/{subject}/versions/latest";
        JsonNode answeredSubject = answer.get(RegistryApi.FIELD_SUBJECT);
        return SchemaMetadata.of(answeredSubject != null && answeredSubject.isTextual() ? answeredSubject.asText()
                        : subject,
                intField(answer, RegistryApi.FIELD_VERSION, what), intField(answer, RegistryApi.FIELD_ID, what),
                schemaField(answer, what));
    }

    @Override
    public boolean testCompatibility(String subject, Schema schema) {
        JsonNode answer = send("POST",
                "/compatibility/subjects/" + RegistryApi.encodeSegment(subject) + "/versions/latest",
                schemaBody(schema));
        JsonNode compatible = answer.get(RegistryApi.FIELD_IS_COMPATIBLE);
        if (compatible == null || !compatible.isBoolean()) {
            throw malformedAnswer("POST /compatibility/subjects/{subject}/versions/latest",
                    "a boolean '" + RegistryApi.FIELD_IS_COMPATIBLE + "'", answer);
        }
        return compatible.booleanValue();
    }

    private String normalizeQuery() {
        return options.normalize() ? "?normalize=true" : "";
    }

    private ObjectNode schemaBody(Schema schema) {
        return json.createObjectNode().put(RegistryApi.FIELD_SCHEMA, schema.toString());
    }

    private JsonNode send(String method, String path, JsonNode body) {
        boolean tokenRenewed = false;
        for (int round = 0; ; round++) {
            Optional<String> token = options.tokens().map(OAuthBearerTokens::token);
            try {
                return sendOnce(method, path, body, token);
            } catch (SchemaRegistryUnavailableException e) {
                if (round >= options.maxRetries()) {
                    throw e;
                }
                sleep(backoff(round));
            } catch (SchemaRegistryException e) {
                // A token refused before its expiry (revoked, or the registry's clock ahead of ours) is renewed once;
                // a new one refused too is the settings' fault.
                if (e.status() != UNAUTHORIZED || token.isEmpty() || tokenRenewed) {
                    throw e;
                }
                options.tokens().get().refused(token.get());
                tokenRenewed = true;
                round--;
            }
        }
    }

    private Duration backoff(int round) {
        return backoff(options.retryWait(), options.retryMaxWait(), round);
    }

    /** The wait before round {@code round + 1}: {@code first}, doubled every round, at most {@code longest}. */
    static Duration backoff(Duration first, Duration longest, int round) {
        Duration wait = first.multipliedBy(1L << Math.min(round, 30));
        return wait.compareTo(longest) > 0 ? longest : wait;
    }

    /**
     * How long one call lasts at most when none of {@code endpoints} URLs answers: each waited on for {@code
     * requestTimeout} in every one of {@code maxRetries + 1} rounds, with the waits between the rounds.
     */
    public static Duration longestUnanswered(int endpoints, Duration requestTimeout, int maxRetries, Duration retryWait,
            Duration retryMaxWait) {
        Duration total = requestTimeout.multipliedBy(endpoints * (maxRetries + 1L));
        // The waits double until they reach the longest (or stay 0, or reach the first times 2^30) and stay there:
        // those are summed by one product, as max.retries may be as large as an int.
        int round = 0;
        for (; round < maxRetries && round <= 30; round++) {
            Duration wait = backoff(retryWait, retryMaxWait, round);
            if (wait.isZero() || wait.equals(retryMaxWait)) {
                break;
            }
            total = total.plus(wait);
        }
        return total.plus(backoff(retryWait, retryMaxWait, round).multipliedBy(maxRetries - round));
    }

    static void sleep(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            throw new InterruptException(e);
        }
    }

    /** One round over the endpoints, from the preferred one, with {@code token} as bearer if given. */
    private JsonNode sendOnce(String method, String path, JsonNode body, Optional<String> token) {
        int first = preferred.get();
        List<String> failures = new ArrayList<>(endpoints.size());
        SchemaRegistryException last = null;
        int handshakesRefused = 0;
        for (int attempt = 0; attempt < endpoints.size(); attempt++) {
            int index = (first + attempt) % endpoints.size();
            Endpoint endpoint = endpoints.get(index);
            HttpResponse<String> response;
            try {
                response = exchange(request(endpoint, method, path, body, token));
            } catch (IOException e) {
                if (tlsRefused(e)) {
                    // The next URL may hold a certificate this one lacks, as Confluent's client finds by trying it:
                    // only when every URL refuses the handshake is it the settings to mend rather than an outage.
                    last = new SchemaRegistryException("The TLS handshake with Schema Registry " + endpoint
                            + " failed: " + e.getMessage() + " (check schema.registry.ssl.truststore.*: the registry's"
                            + " certificate must be trusted and name its host; and schema.registry.ssl.keystore.* if"
                            + " the registry asks for a client certificate)", SchemaRegistryException.NO_STATUS,
                            SchemaRegistryException.NO_ERROR_CODE, e);
                    failures.add(last.getMessage());
                    handshakesRefused++;
                    continue;
                }
                failures.add(endpoint + ": " + e.getClass().getSimpleName()
                        + (e.getMessage() == null ? "" : " " + e.getMessage()));
                last = new SchemaRegistryException(method + " " + path + " on " + endpoint + " failed: " + e,
                        SchemaRegistryException.NO_STATUS, SchemaRegistryException.NO_ERROR_CODE, e);
                continue;
            } catch (InterruptedException e) {
                throw new InterruptException(e);
            }
            if (response.statusCode() >= 500 || response.statusCode() == TOO_MANY_REQUESTS
                    || response.statusCode() == REQUEST_TIMEOUT) {
                last = errorAnswer(endpoint, method, path, response);
                failures.add(endpoint + ": " + last.getMessage());
                continue;
            }
            preferred.set(index);
            if (response.statusCode() / 100 != 2) {
                throw errorAnswer(endpoint, method, path, response);
            }
            return parse(response, method + " " + path);
        }
        if (handshakesRefused == endpoints.size()) {
            throw last;
        }
        throw new SchemaRegistryUnavailableException("No Schema Registry answered " + method + " " + path
                + " (tried " + endpoints.size() + " URL(s)): " + String.join("; ", failures),
                last.status(), last.errorCode(), last);
    }

    /**
     * Sends {@code request} and waits for its whole answer, of at most {@link #MAX_ANSWER_BYTES}, at most the request
     * timeout. The timeout of the JDK's client ends when the headers arrive, so a registry (or a proxy) that stalls
     * in the middle of a body would otherwise hold the stream thread for good, and one that sends an endless body
     * would fill the heap.
     */
    private HttpResponse<String> exchange(HttpRequest request) throws IOException, InterruptedException {
        CompletableFuture<HttpResponse<String>> answer = http.sendAsync(request,
                BoundedText.handler(MAX_ANSWER_BYTES));
        try {
            return answer.get(options.requestTimeout().toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            answer.cancel(true);
            throw new HttpTimeoutException("no whole answer within " + options.requestTimeout().toMillis() + " ms");
        } catch (InterruptedException e) {
            answer.cancel(true);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new IOException(e.getCause());
        }
    }

    /**
     * Whether a failed request was refused by TLS itself: a certificate this client does not trust or that does not
     * name the registry's host, a client certificate the registry refuses (mutual TLS), no protocol or cipher in
     * common; no retry or other URL mends those. A handshake cut short (a registry restarting, a load balancer closing
     * the connection) is an outage like any other failed connection.
     */
    static boolean tlsRefused(IOException e) {
        if (!(e instanceof SSLException)) {
            return false;
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            // The JDK's HTTP client reports a peer that closed the connection mid-handshake with this message and
            // no cause; its blocking sockets with an EOFException or SocketException under it.
            if (cause instanceof EOFException || cause instanceof SocketException
                    || cause instanceof SocketTimeoutException
                    || HANDSHAKE_CUT_SHORT.equals(cause.getMessage())) {
                return false;
            }
        }
        return true;
    }

    private HttpRequest request(Endpoint endpoint, String method, String path, JsonNode body,
            Optional<String> token) {
        String base = endpoint.baseUri().toString();
        URI uri = URI.create((base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + path);
        HttpRequest.Builder builder = HttpRequest.newBuilder(uri)
                .timeout(options.requestTimeout())
                .header("Accept", RegistryApi.ACCEPT);
        endpoint.authHeaders().forEach(builder::header);
        token.ifPresent(value -> builder.setHeader("Authorization", "Bearer " + value));
        if (body == null) {
            return builder.GET().build();
        }
        return builder.header("Content-Type", RegistryApi.CONTENT_TYPE)
                .method(method, HttpRequest.BodyPublishers.ofString(body.toString()))
                .build();
    }

    private SchemaRegistryException errorAnswer(Endpoint endpoint, String method, String path,
                                                HttpResponse<String> response) {
        int errorCode = SchemaRegistryException.NO_ERROR_CODE;
        String message = abbreviate(response.body());
        try {
            JsonNode error = json.readTree(response.body());
            if (error != null && error.path(RegistryApi.FIELD_ERROR_CODE).canConvertToInt()) {
                errorCode = error.get(RegistryApi.FIELD_ERROR_CODE).intValue();
                message = error.path(RegistryApi.FIELD_MESSAGE).asText(message);
            }
        } catch (JsonProcessingException e) {
            // Not Confluent's error JSON (a proxy's HTML page, say): the raw body is the best message there is.
        }
        return new SchemaRegistryException("Schema Registry " + endpoint + " answered " + method + " " + path
                + " with HTTP " + response.statusCode() + ", error_code " + errorCode + ": " + message,
                response.statusCode(), errorCode);
    }

    private JsonNode parse(HttpResponse<String> response, String what) {
        try {
            JsonNode answer = json.readTree(response.body());
            if (answer == null || !answer.isObject()) {
                throw malformedAnswer(what, "a JSON object", answer);
            }
            return answer;
        } catch (JsonProcessingException e) {
            throw new SchemaRegistryException("Schema Registry answered " + what + " with HTTP "
                    + response.statusCode() + " but a body that is not JSON: " + abbreviate(response.body()),
                    response.statusCode(), SchemaRegistryException.NO_ERROR_CODE, e);
        }
    }

    private static int intField(JsonNode answer, String field, String what) {
        JsonNode value = answer.get(field);
        if (value == null || !value.canConvertToInt()) {
            throw malformedAnswer(what, "an integer '" + field + "'", answer);
        }
        return value.intValue();
    }

    /**
     * The schema of an answer, with the named types of the schemas it references defined first. A default that does
     * not fit its field's type is let through, as Confluent's client lets it through in the schemas it fetches: older
     * registries hold such schemas ({@code "type": "string", "default": null}), and their records read fine.
     */
    private Schema schemaField(JsonNode answer, String what) {
        Schema.Parser parser = new Schema.Parser().setValidateDefaults(false);
        defineReferences(answer, parser, new HashSet<>(), what);
        return parse(parser, schemaText(answer, what), what);
    }

    /**
     * Defines in {@code parser} the types of every schema {@code answer} references (Confluent's {@code references}:
     * a name, a subject and a version each), their own references first, each named type once: the first reference to
     * a name wins, as in Confluent's client (two versions of one type cannot both be defined).
     */
    private void defineReferences(JsonNode answer, Schema.Parser parser, Set<String> defined, String what) {
        JsonNode references = answer.get(RegistryApi.FIELD_REFERENCES);
        if (references == null || references.isNull()) {
            return;
        }
        if (!references.isArray()) {
            throw malformedAnswer(what, "an array '" + RegistryApi.FIELD_REFERENCES + "'", answer);
        }
        for (JsonNode reference : references) {
            JsonNode name = reference.get(RegistryApi.FIELD_NAME);
            JsonNode subject = reference.get(RegistryApi.FIELD_SUBJECT);
            JsonNode version = reference.get(RegistryApi.FIELD_VERSION);
            if (name == null || !name.isTextual() || subject == null || !subject.isTextual() || version == null
                    || !version.canConvertToInt()) {
                throw malformedAnswer(what, "a name, a subject and a version in each reference", answer);
            }
            if (!defined.add(name.asText())) {
                continue;
            }
            if (defined.size() > MAX_REFERENCES) {
                throw new SchemaRegistryException("Schema Registry answered " + what + " with a schema of more than "
                        + MAX_REFERENCES + " references", 200, SchemaRegistryException.INVALID_SCHEMA);
            }
            // With deleted versions, as Confluent's client resolves references: records written with a schema stay
            // readable after a version it references is soft-deleted.
            String path = "/subjects/" + RegistryApi.encodeSegment(subject.asText()) + "/versions/"
                    + version.intValue() + "?deleted=true";
            String referenced = "GET " + path + " (referenced by " + what + ")";
            JsonNode answered = send("GET", path, null);
            defineReferences(answered, parser, defined, referenced);
            parse(parser, schemaText(answered, referenced), referenced);
        }
    }

    private static String schemaText(JsonNode answer, String what) {
        JsonNode type = answer.get(RegistryApi.FIELD_SCHEMA_TYPE);
        if (type != null && !RegistryApi.SCHEMA_TYPE_AVRO.equals(type.asText())) {
            throw new SchemaRegistryException("Schema Registry answered " + what + " with a " + type.asText()
                    + " schema; only AVRO is supported", 200, SchemaRegistryException.INVALID_SCHEMA);
        }
        JsonNode schema = answer.get(RegistryApi.FIELD_SCHEMA);
        if (schema == null || !schema.isTextual()) {
            throw malformedAnswer(what, "a string '" + RegistryApi.FIELD_SCHEMA + "'", answer);
        }
        return schema.asText();
    }

    private static Schema parse(Schema.Parser parser, String text, String what) {
        try {
            return parser.parse(text);
        } catch (RuntimeException e) {
            // Not only SchemaParseException: Avro 1.12 reports an undefined type name with a NullPointerException.
            throw new SchemaRegistryException("Schema Registry answered " + what + " with a schema Avro cannot "
                    + "parse: " + e, 200, SchemaRegistryException.INVALID_SCHEMA, e);
        }
    }

    private static SchemaRegistryException malformedAnswer(String what, String expected, JsonNode found) {
        return new SchemaRegistryException("Schema Registry answered " + what + " without " + expected + ": "
                + abbreviate(String.valueOf(found)), 200, SchemaRegistryException.NO_ERROR_CODE);
    }

    private static String abbreviate(String text) {
        return text.length() <= MAX_BODY_IN_MESSAGE ? text : text.substring(0, MAX_BODY_IN_MESSAGE) + "...";
    }
}
