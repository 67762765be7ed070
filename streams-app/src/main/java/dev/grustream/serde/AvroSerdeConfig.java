package dev.grustream.serde;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.JaasContext;

import dev.grustream.serde.internals.RestSchemaRegistryClient;

/**
 * The configuration keys of gru-stream's Avro serdes, with their defaults and docs. The keys are Confluent's, so a
 * configuration written for these serdes also configures Confluent's {@code KafkaAvroSerializer} and
 * {@code SpecificAvroSerde}, and the other way round; the only keys of our own are the two registry timeouts. The
 * registry client's TLS settings are Confluent's {@code schema.registry.ssl.*}: Kafka's {@code ssl.*} client settings
 * under that prefix.
 *
 * <p>An instance is the validated form of a configuration map: it is built with {@link #AvroSerdeConfig(Map)}, which
 * throws a {@link ConfigException} naming the key for a missing, unknown or malformed value. Immutable; safe to share
 * between threads.
 */
public final class AvroSerdeConfig extends AbstractConfig {
    /** The URL prefix that selects an in-process registry shared by every serde of the same scope in the JVM. */
    public static final String MOCK_URL_PREFIX = "mock://";

    public static final String SCHEMA_REGISTRY_URL_CONFIG = "schema.registry.url";
    public static final String SCHEMA_REGISTRY_URL_DOC = "Comma-separated URLs of the Schema Registry instances, "
            + "e.g. http://registry-1:8081,http://registry-2:8081. A request that cannot connect, times out or gets a "
            + "5xx answer is tried on the next URL. Credentials may be given in a URL (http://user:pass@host:8081) "
            + "when basic.auth.credentials.source is URL. 'mock://<scope>' instead selects an in-process registry "
            + "shared by every serde of that scope in this JVM (for tests); it must then be the only URL.";

    public static final String AUTO_REGISTER_SCHEMAS_CONFIG = "auto.register.schemas";
    public static final String AUTO_REGISTER_SCHEMAS_DOC = "Whether the serializer registers the schema of each value "
            + "it writes under its subject. When false the schema must already be registered there, or the value is "
            + "refused (unless use.latest.version is true).";

    public static final String USE_LATEST_VERSION_CONFIG = "use.latest.version";
    public static final String USE_LATEST_VERSION_DOC = "When auto.register.schemas is false: write every value with "
            + "the latest schema version of its subject instead of the value's own schema. The value is converted "
            + "with Avro schema resolution, so the latest version must be able to read the value's schema. The latest "
            + "version is looked up once per subject for the serializer's lifetime.";

    public static final String AVRO_REMOVE_JAVA_PROPS_CONFIG = "avro.remove.java.properties";
    public static final String AVRO_REMOVE_JAVA_PROPS_DOC = "Whether the serializer drops the avro.java.string "
            + "properties that Avro's code generator puts in a generated class's schema before it registers or looks "
            + "up the schema. A registry counts them, so a schema registered from its .avsc file is found only with "
            + "this set.";

    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG = "basic.auth.credentials.source";
    public static final String BASIC_AUTH_CREDENTIALS_SOURCE_DOC = "Where the HTTP basic-auth credentials for the "
            + "registry come from: URL (the user info of each URL in schema.registry.url; no authentication when it "
            + "has none), USER_INFO (basic.auth.user.info) or SASL_INHERIT (the username and password of the Kafka "
            + "clients' sasl.jaas.config, a PLAIN or SCRAM login, else of the KafkaClient entry of the JVM's JAAS "
            + "file).";

    public static final String BASIC_AUTH_USER_INFO_CONFIG = "basic.auth.user.info";
    public static final String BASIC_AUTH_USER_INFO_DOC = "Basic-auth credentials as 'user:password', used when "
            + "basic.auth.credentials.source is USER_INFO.";

    public static final String SPECIFIC_AVRO_READER_CONFIG = "specific.avro.reader";
    public static final String SPECIFIC_AVRO_READER_DOC = "Whether the deserializer returns the generated "
            + "SpecificRecord class named by the writer's schema (true), resolving the writer's schema to that "
            + "class's schema, or a GenericRecord in the writer's schema (false). SpecificAvroSerde and "
            + "GenericAvroSerde ignore it.";

    public static final String KEY_SUBJECT_NAME_STRATEGY_CONFIG = "key.subject.name.strategy";
    public static final String KEY_SUBJECT_NAME_STRATEGY_DOC = "How the subject of a record key's schema is named: "
            + "TopicNameStrategy (<topic>-key), RecordNameStrategy (<record full name>) or TopicRecordNameStrategy "
            + "(<topic>-<record full name>), given by simple name, by gru-stream's class name "
            + "(dev.grustream.serde.TopicNameStrategy) or by Confluent's "
            + "(io.confluent.kafka.serializers.subject.TopicNameStrategy).";

    public static final String VALUE_SUBJECT_NAME_STRATEGY_CONFIG = "value.subject.name.strategy";
    public static final String VALUE_SUBJECT_NAME_STRATEGY_DOC = "How the subject of a record value's schema is named; "
            + "same choices as key.subject.name.strategy, with <topic>-value for TopicNameStrategy.";

    public static final String SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG = "schema.registry.connect.timeout.ms";
    public static final String SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_DOC = "How long to wait for a TCP connection to a "
            + "registry URL before trying the next one (gru-stream only; Confluent's serde ignores this key).";

    public static final String SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG = "schema.registry.request.timeout.ms";
    public static final String SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_DOC = "How long to wait for a registry's whole "
            + "answer (headers and body) to one request before trying the next URL (gru-stream only; Confluent's serde"
            + " ignores this key).";

    public static final String SCHEMA_REGISTRY_USER_INFO_CONFIG = "schema.registry.basic.auth.user.info";
    public static final String SCHEMA_REGISTRY_USER_INFO_DOC = "The same as basic.auth.user.info (Confluent's older"
            + " name); it wins when both are set, as in Confluent's client.";
    public static final String BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG = "bearer.auth.credentials.source";
    public static final String BEARER_AUTH_CREDENTIALS_SOURCE_DOC = "Where a bearer token for the registry comes"
            + " from: STATIC_TOKEN (bearer.auth.token), OAUTHBEARER (fetched from bearer.auth.issuer.endpoint.url"
            + " with bearer.auth.client.id and bearer.auth.client.secret, the OAuth client-credentials grant, and"
            + " fetched again before it expires), or empty for none. A bearer token replaces basic auth.";
    public static final String BEARER_AUTH_TOKEN_CONFIG = "bearer.auth.token";
    public static final String BEARER_AUTH_TOKEN_DOC = "The bearer token sent to the registry as"
            + " 'Authorization: Bearer <token>' when bearer.auth.credentials.source is STATIC_TOKEN.";
    public static final String BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG = "bearer.auth.issuer.endpoint.url";
    public static final String BEARER_AUTH_ISSUER_ENDPOINT_URL_DOC = "The OAuth token endpoint the bearer tokens"
            + " come from when bearer.auth.credentials.source is OAUTHBEARER. Kafka's client, which fetches them,"
            + " only reaches a URL listed in the JVM's system property org.apache.kafka.sasl.oauthbearer.allowed.urls.";
    public static final String BEARER_AUTH_CLIENT_ID_CONFIG = "bearer.auth.client.id";
    public static final String BEARER_AUTH_CLIENT_ID_DOC = "The OAuth client id, for OAUTHBEARER.";
    public static final String BEARER_AUTH_CLIENT_SECRET_CONFIG = "bearer.auth.client.secret";
    public static final String BEARER_AUTH_CLIENT_SECRET_DOC = "The OAuth client secret, for OAUTHBEARER.";
    public static final String BEARER_AUTH_SCOPE_CONFIG = "bearer.auth.scope";
    public static final String BEARER_AUTH_SCOPE_DOC = "The scope asked for with each token, for OAUTHBEARER;"
            + " empty for none.";
    public static final String BEARER_AUTH_SCOPE_CLAIM_NAME_CONFIG = "bearer.auth.scope.claim.name";
    public static final String BEARER_AUTH_SCOPE_CLAIM_NAME_DOC = "The claim of a token that holds its scope.";
    public static final String BEARER_AUTH_SUB_CLAIM_NAME_CONFIG = "bearer.auth.sub.claim.name";
    public static final String BEARER_AUTH_SUB_CLAIM_NAME_DOC = "The claim of a token that holds its subject; a token"
            + " without one is refused.";
    public static final String BEARER_AUTH_CACHE_EXPIRY_BUFFER_SECONDS_CONFIG =
            "bearer.auth.cache.expiry.buffer.seconds";
    public static final String BEARER_AUTH_CACHE_EXPIRY_BUFFER_SECONDS_DOC = "How long before a token's expiry a new"
            + " one is fetched, for OAUTHBEARER; half the token's lifetime when that is shorter.";
    public static final String BEARER_AUTH_LOGICAL_CLUSTER_CONFIG = "bearer.auth.logical.cluster";
    public static final String BEARER_AUTH_LOGICAL_CLUSTER_DOC = "The registry's logical cluster id (lsrc-...), sent"
            + " with a bearer token as the header target-sr-cluster, which Confluent Cloud asks of OAuth clients;"
            + " empty for none. Not sent with basic auth.";
    public static final String BEARER_AUTH_IDENTITY_POOL_ID_CONFIG = "bearer.auth.identity.pool.id";
    public static final String BEARER_AUTH_IDENTITY_POOL_ID_DOC = "The identity pool id (pool-..., or several"
            + " separated by commas), sent with a bearer token as the header Confluent-Identity-Pool-Id; empty for"
            + " none. Not sent with basic auth.";
    public static final String PROXY_HOST_CONFIG = "proxy.host";
    public static final String PROXY_HOST_DOC = "Host of the HTTP proxy the registry client sends every request"
            + " through (https ones by CONNECT); empty for none. Needs proxy.port.";
    public static final String PROXY_PORT_CONFIG = "proxy.port";
    public static final String PROXY_PORT_DOC = "Port of the HTTP proxy named by proxy.host.";
    public static final String NORMALIZE_SCHEMAS_CONFIG = "normalize.schemas";
    public static final String NORMALIZE_SCHEMAS_DOC = "Whether the registry is asked to normalize a schema"
            + " (normalize=true) before registering or looking it up.";
    public static final String LATEST_COMPATIBILITY_STRICT_CONFIG = "latest.compatibility.strict";
    public static final String LATEST_COMPATIBILITY_STRICT_DOC = "With use.latest.version: whether a value is"
            + " refused unless the latest version can read every value of its own schema; false tries each value.";
    public static final String MAX_SCHEMAS_PER_SUBJECT_CONFIG = "max.schemas.per.subject";
    public static final String MAX_SCHEMAS_PER_SUBJECT_DOC = "Most schemas the client remembers per subject, and most"
            + " subjects it remembers; the least used is forgotten and asked for again when next met, so that a"
            + " producer that makes a new schema per record cannot exhaust the memory.";
    public static final String MISSING_ID_CACHE_TTL_SEC_CONFIG = "missing.id.cache.ttl.sec";
    public static final String MISSING_ID_CACHE_TTL_SEC_DOC = "How long, in seconds, a schema id the registry"
            + " answered it does not know is taken as unknown without asking again; 0 (the default, as Confluent's)"
            + " asks every time. With it, a producer that writes with another registry's ids costs one registry"
            + " request per id rather than per record, but records written with an id the registry learns within"
            + " that time (a replica behind its leader) are refused for as long.";
    public static final String MISSING_CACHE_SIZE_CONFIG = "missing.cache.size";
    public static final String MISSING_CACHE_SIZE_DOC = "Most unknown schema ids remembered at a time.";
    public static final String MAX_RETRIES_CONFIG = "max.retries";
    public static final String MAX_RETRIES_DOC = "How many times a request every registry URL failed (no"
            + " connection, a timeout, HTTP 5xx, 408 or 429) is retried.";
    public static final String RETRIES_WAIT_MS_CONFIG = "retries.wait.ms";
    public static final String RETRIES_WAIT_MS_DOC = "Wait before the first retry; each next wait doubles.";
    public static final String RETRIES_MAX_WAIT_MS_CONFIG = "retries.max.wait.ms";
    public static final String RETRIES_MAX_WAIT_MS_DOC = "Longest wait between two retries.";
    /** The prefix of the registry client's TLS settings: {@code schema.registry.ssl.truststore.location}, say. */
    public static final String SSL_PREFIX = "schema.registry.";
    public static final String CREDENTIALS_SOURCE_URL = "URL";
    public static final String CREDENTIALS_SOURCE_USER_INFO = "USER_INFO";
    public static final String CREDENTIALS_SOURCE_SASL_INHERIT = "SASL_INHERIT";
    public static final String BEARER_SOURCE_STATIC_TOKEN = "STATIC_TOKEN";
    public static final String BEARER_SOURCE_OAUTHBEARER = "OAUTHBEARER";

    private static final Map<String, Supplier<SubjectNameStrategy>> STRATEGIES = strategiesByName();
    private static final ConfigDef CONFIG = configDef();

    /**
     * Validates {@code props} (which may hold any other keys, e.g. a whole Kafka Streams configuration).
     *
     * @throws ConfigException naming the key of the first missing or invalid value
     */
    public AvroSerdeConfig(Map<String, ?> props) {
        super(CONFIG, withClassNames(props), false);
        if (BEARER_SOURCE_STATIC_TOKEN.equals(getString(BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG))
                && bearerToken().isEmpty()) {
            throw new ConfigException(BEARER_AUTH_TOKEN_CONFIG, null, "expected a token because "
                    + BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG + " is " + BEARER_SOURCE_STATIC_TOKEN);
        }
        if (oauthBearer()) {
            for (String key : List.of(BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG, BEARER_AUTH_CLIENT_ID_CONFIG)) {
                if (getString(key).isBlank()) {
                    throw new ConfigException(key, getString(key), "expected a value because "
                            + BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG + " is " + BEARER_SOURCE_OAUTHBEARER);
                }
            }
            if (password(BEARER_AUTH_CLIENT_SECRET_CONFIG).isEmpty()) {
                throw new ConfigException(BEARER_AUTH_CLIENT_SECRET_CONFIG, null, "expected a secret because "
                        + BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG + " is " + BEARER_SOURCE_OAUTHBEARER);
            }
        }
        if ("".equals(originals().get(SSL_PREFIX + SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG))) {
            throw new ConfigException(SSL_PREFIX + SslConfigs.SSL_ENDPOINT_IDENTIFICATION_ALGORITHM_CONFIG, "",
                    "the registry client always checks that the registry's certificate names its host");
        }
        if (CREDENTIALS_SOURCE_USER_INFO.equals(getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG))
                && basicAuthUserInfo().isEmpty()) {
            throw new ConfigException(BASIC_AUTH_USER_INFO_CONFIG, null,
                    "expected 'user:password' because " + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + " is "
                            + CREDENTIALS_SOURCE_USER_INFO);
        }
        if (getString(PROXY_HOST_CONFIG).contains("/")) {
            throw new ConfigException(PROXY_HOST_CONFIG, getString(PROXY_HOST_CONFIG), "expected a host name or"
                    + " address alone, without a scheme or path (the proxy is spoken to in HTTP)");
        }
        if (!getString(PROXY_HOST_CONFIG).isBlank() && getInt(PROXY_PORT_CONFIG) < 1) {
            throw new ConfigException(PROXY_PORT_CONFIG, getInt(PROXY_PORT_CONFIG), "expected the proxy's port (1 to"
                    + " 65535) because " + PROXY_HOST_CONFIG + " is set");
        }
        if (CREDENTIALS_SOURCE_SASL_INHERIT.equals(getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG))
                && basicAuthUserInfo().isEmpty()) {
            throw new ConfigException(SaslConfigs.SASL_JAAS_CONFIG, null, "expected a login with a username and a "
                    + "password because " + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + " is "
                    + CREDENTIALS_SOURCE_SASL_INHERIT);
        }
    }

    /** Returns the definition of every key: type, default, validator and doc. */
    public static ConfigDef configDef() {
        return new ConfigDef()
                .define(SCHEMA_REGISTRY_URL_CONFIG, Type.LIST, List.of(), new UrlListValidator(), Importance.HIGH,
                        SCHEMA_REGISTRY_URL_DOC)
                .define(AUTO_REGISTER_SCHEMAS_CONFIG, Type.BOOLEAN, true, Importance.MEDIUM,
                        AUTO_REGISTER_SCHEMAS_DOC)
                .define(USE_LATEST_VERSION_CONFIG, Type.BOOLEAN, false, Importance.LOW, USE_LATEST_VERSION_DOC)
                .define(AVRO_REMOVE_JAVA_PROPS_CONFIG, Type.BOOLEAN, false, Importance.MEDIUM,
                        AVRO_REMOVE_JAVA_PROPS_DOC)
                .define(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG, Type.STRING, CREDENTIALS_SOURCE_URL,
                        ConfigDef.ValidString.in(CREDENTIALS_SOURCE_URL, CREDENTIALS_SOURCE_USER_INFO,
                                CREDENTIALS_SOURCE_SASL_INHERIT),
                        Importance.MEDIUM, BASIC_AUTH_CREDENTIALS_SOURCE_DOC)
                .define(BASIC_AUTH_USER_INFO_CONFIG, Type.PASSWORD, null, new UserInfoValidator(), Importance.MEDIUM,
                        BASIC_AUTH_USER_INFO_DOC)
                .define(SPECIFIC_AVRO_READER_CONFIG, Type.BOOLEAN, false, Importance.LOW, SPECIFIC_AVRO_READER_DOC)
                .define(KEY_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, TopicNameStrategy.class.getName(),
                        new StrategyValidator(), Importance.MEDIUM, KEY_SUBJECT_NAME_STRATEGY_DOC)
                .define(VALUE_SUBJECT_NAME_STRATEGY_CONFIG, Type.STRING, TopicNameStrategy.class.getName(),
                        new StrategyValidator(), Importance.MEDIUM, VALUE_SUBJECT_NAME_STRATEGY_DOC)
                .define(SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG, Type.INT, 10_000, ConfigDef.Range.atLeast(1),
                        Importance.LOW, SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_DOC)
                .define(SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG, Type.INT, 30_000, ConfigDef.Range.atLeast(1),
                        Importance.LOW, SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_DOC)
                .define(SCHEMA_REGISTRY_USER_INFO_CONFIG, Type.PASSWORD, null, new UserInfoValidator(),
                        Importance.LOW, SCHEMA_REGISTRY_USER_INFO_DOC)
                .define(BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG, Type.STRING, "",
                        ConfigDef.ValidString.in("", BEARER_SOURCE_STATIC_TOKEN, BEARER_SOURCE_OAUTHBEARER),
                        Importance.MEDIUM, BEARER_AUTH_CREDENTIALS_SOURCE_DOC)
                .define(BEARER_AUTH_TOKEN_CONFIG, Type.PASSWORD, null, Importance.MEDIUM, BEARER_AUTH_TOKEN_DOC)
                .define(BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG, Type.STRING, "", Importance.MEDIUM,
                        BEARER_AUTH_ISSUER_ENDPOINT_URL_DOC)
                .define(BEARER_AUTH_CLIENT_ID_CONFIG, Type.STRING, "", Importance.MEDIUM, BEARER_AUTH_CLIENT_ID_DOC)
                .define(BEARER_AUTH_CLIENT_SECRET_CONFIG, Type.PASSWORD, null, Importance.MEDIUM,
                        BEARER_AUTH_CLIENT_SECRET_DOC)
                .define(BEARER_AUTH_SCOPE_CONFIG, Type.STRING, "", Importance.LOW, BEARER_AUTH_SCOPE_DOC)
                .define(BEARER_AUTH_SCOPE_CLAIM_NAME_CONFIG, Type.STRING, "scope", new ConfigDef.NonEmptyString(),
                        Importance.LOW, BEARER_AUTH_SCOPE_CLAIM_NAME_DOC)
                .define(BEARER_AUTH_SUB_CLAIM_NAME_CONFIG, Type.STRING, "sub", new ConfigDef.NonEmptyString(),
                        Importance.LOW, BEARER_AUTH_SUB_CLAIM_NAME_DOC)
                .define(BEARER_AUTH_CACHE_EXPIRY_BUFFER_SECONDS_CONFIG, Type.INT, 300,
                        ConfigDef.Range.between(0, 86_400), Importance.LOW, BEARER_AUTH_CACHE_EXPIRY_BUFFER_SECONDS_DOC)
                .define(PROXY_HOST_CONFIG, Type.STRING, "", Importance.LOW, PROXY_HOST_DOC)
                .define(PROXY_PORT_CONFIG, Type.INT, -1, ConfigDef.Range.between(-1, 65_535), Importance.LOW,
                        PROXY_PORT_DOC)
                .define(BEARER_AUTH_LOGICAL_CLUSTER_CONFIG, Type.STRING, "", Importance.LOW,
                        BEARER_AUTH_LOGICAL_CLUSTER_DOC)
                .define(BEARER_AUTH_IDENTITY_POOL_ID_CONFIG, Type.STRING, "", Importance.LOW,
                        BEARER_AUTH_IDENTITY_POOL_ID_DOC)
                .define(NORMALIZE_SCHEMAS_CONFIG, Type.BOOLEAN, false, Importance.LOW, NORMALIZE_SCHEMAS_DOC)
                .define(LATEST_COMPATIBILITY_STRICT_CONFIG, Type.BOOLEAN, true, Importance.LOW,
                        LATEST_COMPATIBILITY_STRICT_DOC)
                .define(MAX_SCHEMAS_PER_SUBJECT_CONFIG, Type.INT, 1000, ConfigDef.Range.atLeast(1), Importance.LOW,
                        MAX_SCHEMAS_PER_SUBJECT_DOC)
                .define(MISSING_ID_CACHE_TTL_SEC_CONFIG, Type.LONG, 0L, ConfigDef.Range.between(0L, 86_400L),
                        Importance.LOW, MISSING_ID_CACHE_TTL_SEC_DOC)
                .define(MISSING_CACHE_SIZE_CONFIG, Type.INT, 10_000, ConfigDef.Range.atLeast(0), Importance.LOW,
                        MISSING_CACHE_SIZE_DOC)
                .define(MAX_RETRIES_CONFIG, Type.INT, 3, ConfigDef.Range.atLeast(0), Importance.LOW,
                        MAX_RETRIES_DOC)
                .define(RETRIES_WAIT_MS_CONFIG, Type.INT, 1000, ConfigDef.Range.atLeast(0), Importance.LOW,
                        RETRIES_WAIT_MS_DOC)
                .define(RETRIES_MAX_WAIT_MS_CONFIG, Type.INT, 20_000, ConfigDef.Range.atLeast(0), Importance.LOW,
                        RETRIES_MAX_WAIT_MS_DOC);
    }

    /** The registry URLs in the order given; empty when none was configured. */
    public List<String> schemaRegistryUrls() {
        return getList(SCHEMA_REGISTRY_URL_CONFIG);
    }

    /** The scope of a {@code mock://<scope>} URL, or empty when the URLs are real ones. */
    public Optional<String> mockScope() {
        List<String> urls = schemaRegistryUrls();
        if (urls.size() == 1 && urls.get(0).startsWith(MOCK_URL_PREFIX)) {
            return Optional.of(urls.get(0).substring(MOCK_URL_PREFIX.length()));
        }
        return Optional.empty();
    }

    public boolean autoRegisterSchemas() {
        return getBoolean(AUTO_REGISTER_SCHEMAS_CONFIG);
    }

    public boolean useLatestVersion() {
        return getBoolean(USE_LATEST_VERSION_CONFIG);
    }

    public boolean removeJavaProperties() {
        return getBoolean(AVRO_REMOVE_JAVA_PROPS_CONFIG);
    }

    public boolean specificAvroReader() {
        return getBoolean(SPECIFIC_AVRO_READER_CONFIG);
    }

    /** Whether credentials come from {@link #basicAuthUserInfo()} rather than from the URLs. */
    public boolean credentialsFromConfig() {
        return !CREDENTIALS_SOURCE_URL.equals(getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG));
    }

    /**
     * The configured {@code user:password}, or empty: with SASL_INHERIT the Kafka clients' SASL login's, else
     * {@code schema.registry.basic.auth.user.info} if set (Confluent's older name, which wins in Confluent's client
     * too), else {@code basic.auth.user.info}.
     */
    public Optional<String> basicAuthUserInfo() {
        if (CREDENTIALS_SOURCE_SASL_INHERIT.equals(getString(BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG))) {
            return saslUserInfo();
        }
        return password(SCHEMA_REGISTRY_USER_INFO_CONFIG).or(() -> password(BASIC_AUTH_USER_INFO_CONFIG));
    }

    /**
     * {@code username:password} of the first login in the Kafka clients' JAAS configuration that has both, read by
     * Kafka's own parser: {@code sasl.jaas.config} (as Confluent's SASL_INHERIT reads it), else the JVM's JAAS file.
     */
    private Optional<String> saslUserInfo() {
        Object jaas = originals().get(SaslConfigs.SASL_JAAS_CONFIG);
        Map<String, Object> clientConfig = new HashMap<>();
        if (jaas != null) {
            clientConfig.put(SaslConfigs.SASL_JAAS_CONFIG,
                    jaas instanceof Password password ? password : new Password(jaas.toString()));
        }
        List<AppConfigurationEntry> logins;
        try {
            logins = JaasContext.loadClientContext(clientConfig).configurationEntries();
        } catch (IllegalArgumentException | SecurityException e) {
            if (jaas == null) {
                throw new ConfigException(SaslConfigs.SASL_JAAS_CONFIG, null, "expected a login because "
                        + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + " is " + CREDENTIALS_SOURCE_SASL_INHERIT
                        + ", and the JVM's JAAS file has no KafkaClient entry either");
            }
            // Without the parser's message: it quotes the token it stopped at, which may be part of a password.
            throw new ConfigException(SaslConfigs.SASL_JAAS_CONFIG + " cannot be read for "
                    + BASIC_AUTH_CREDENTIALS_SOURCE_CONFIG + "=" + CREDENTIALS_SOURCE_SASL_INHERIT
                    + " (Kafka's JAAS parser refused it; its message is left out, as it may quote a secret)");
        }
        for (AppConfigurationEntry login : logins) {
            Object username = login.getOptions().get("username");
            Object password = login.getOptions().get("password");
            if (username != null && password != null) {
                return Optional.of(username + ":" + password);
            }
        }
        return Optional.empty();
    }

    /** The static bearer token when {@code bearer.auth.credentials.source} is STATIC_TOKEN, else empty. */
    public Optional<String> bearerToken() {
        return BEARER_SOURCE_STATIC_TOKEN.equals(getString(BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG))
                ? password(BEARER_AUTH_TOKEN_CONFIG) : Optional.empty();
    }

    /** Whether bearer tokens come from an OAuth token endpoint ({@code bearer.auth.credentials.source=OAUTHBEARER}). */
    public boolean oauthBearer() {
        return BEARER_SOURCE_OAUTHBEARER.equals(getString(BEARER_AUTH_CREDENTIALS_SOURCE_CONFIG));
    }

    /** The OAuth client secret of {@code bearer.auth.client.secret}, or empty when unset. */
    public Optional<String> oauthClientSecret() {
        return password(BEARER_AUTH_CLIENT_SECRET_CONFIG);
    }

    /** How long before a token's expiry a new one is fetched ({@code bearer.auth.cache.expiry.buffer.seconds}). */
    public Duration oauthExpiryBuffer() {
        return Duration.ofSeconds(getInt(BEARER_AUTH_CACHE_EXPIRY_BUFFER_SECONDS_CONFIG));
    }

    /**
     * The headers naming the registry and the identity pool a bearer token is for ({@code target-sr-cluster},
     * {@code Confluent-Identity-Pool-Id}), those configured, in that order; none without a bearer token.
     */
    public Map<String, String> bearerTargetHeaders() {
        Map<String, String> headers = new LinkedHashMap<>();
        if (bearerToken().isPresent() || oauthBearer()) {
            putIfSet(headers, "target-sr-cluster", getString(BEARER_AUTH_LOGICAL_CLUSTER_CONFIG));
            putIfSet(headers, "Confluent-Identity-Pool-Id", getString(BEARER_AUTH_IDENTITY_POOL_ID_CONFIG));
        }
        return headers;
    }

    private static void putIfSet(Map<String, String> headers, String name, String value) {
        if (!value.isBlank()) {
            headers.put(name, value.strip());
        }
    }

    private Optional<String> password(String key) {
        Password value = getPassword(key);
        return value == null || value.value().isEmpty() ? Optional.empty() : Optional.of(value.value());
    }

    public boolean normalizeSchemas() {
        return getBoolean(NORMALIZE_SCHEMAS_CONFIG);
    }

    public boolean latestCompatibilityStrict() {
        return getBoolean(LATEST_COMPATIBILITY_STRICT_CONFIG);
    }

    public int maxSchemasPerSubject() {
        return getInt(MAX_SCHEMAS_PER_SUBJECT_CONFIG);
    }

    /** How long an unknown schema id is remembered as unknown; zero when it is not. */
    public Duration missingIdTtl() {
        return Duration.ofSeconds(getLong(MISSING_ID_CACHE_TTL_SEC_CONFIG));
    }

    public int missingCacheSize() {
        return getInt(MISSING_CACHE_SIZE_CONFIG);
    }

    public int maxRetries() {
        return getInt(MAX_RETRIES_CONFIG);
    }

    public Duration retryWait() {
        return Duration.ofMillis(getInt(RETRIES_WAIT_MS_CONFIG));
    }

    public Duration retryMaxWait() {
        return Duration.ofMillis(getInt(RETRIES_MAX_WAIT_MS_CONFIG));
    }

    /**
     * How long one registry call may block its caller when no registry URL answers: every URL waited on for
     * {@code schema.registry.request.timeout.ms} in each of {@code max.retries + 1} rounds, with the waits between;
     * with OAUTHBEARER, after as many attempts at a token, each waited on for the connect and the request timeouts.
     */
    public Duration longestUnansweredCall() {
        Duration registry = RestSchemaRegistryClient.longestUnanswered(Math.max(1, schemaRegistryUrls().size()),
                requestTimeout(), maxRetries(), retryWait(), retryMaxWait());
        return oauthBearer() ? registry.plus(RestSchemaRegistryClient.longestUnanswered(1,
                connectTimeout().plus(requestTimeout()), maxRetries(), retryWait(), retryMaxWait())) : registry;
    }

    /**
     * The registry client's TLS settings, {@code schema.registry.ssl.*} with the prefix removed and read as Kafka
     * reads its clients' {@code ssl.*}; empty when none is set.
     */
    public Optional<Map<String, Object>> sslSettings() {
        Map<String, Object> ssl = sslOriginals();
        if (ssl.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new HashMap<>(new AbstractConfig(new ConfigDef().withClientSslSupport(), ssl, false)
                .values()));
    }

    /** {@code schema.registry.ssl.*} as given, with the prefix removed ({@code ssl.truststore.location}, say). */
    public Map<String, Object> sslOriginals() {
        Map<String, Object> ssl = new HashMap<>();
        originalsWithPrefix(SSL_PREFIX).forEach((key, value) -> {
            if (key.startsWith("ssl.")) {
                ssl.put(key, value);
            }
        });
        return ssl;
    }

    /** The subject name strategy for keys ({@code isKey}) or values. */
    public SubjectNameStrategy subjectNameStrategy(boolean isKey) {
        String name = getString(isKey ? KEY_SUBJECT_NAME_STRATEGY_CONFIG : VALUE_SUBJECT_NAME_STRATEGY_CONFIG);
        return STRATEGIES.get(name).get();
    }

    /** The HTTP proxy of {@code proxy.host} and {@code proxy.port}, unresolved, or empty for none. */
    public Optional<InetSocketAddress> proxy() {
        String host = getString(PROXY_HOST_CONFIG).strip();
        return host.isEmpty() ? Optional.empty()
                : Optional.of(InetSocketAddress.createUnresolved(host, getInt(PROXY_PORT_CONFIG)));
    }

    public Duration connectTimeout() {
        return Duration.ofMillis(getInt(SCHEMA_REGISTRY_CONNECT_TIMEOUT_MS_CONFIG));
    }

    public Duration requestTimeout() {
        return Duration.ofMillis(getInt(SCHEMA_REGISTRY_REQUEST_TIMEOUT_MS_CONFIG));
    }

    // Confluent declares the strategy keys as classes, so Java users often pass Class objects; we accept those too,
    // by name, because a Confluent class is not on our classpath to be loaded.
    private static Map<String, Object> withClassNames(Map<String, ?> props) {
        Map<String, Object> copy = new HashMap<>(props);
        for (String key : List.of(KEY_SUBJECT_NAME_STRATEGY_CONFIG, VALUE_SUBJECT_NAME_STRATEGY_CONFIG)) {
            if (copy.get(key) instanceof Class<?> type) {
                copy.put(key, type.getName());
            }
        }
        return copy;
    }

    private static Map<String, Supplier<SubjectNameStrategy>> strategiesByName() {
        Map<String, Supplier<SubjectNameStrategy>> byName = new TreeMap<>();
        addStrategy(byName, TopicNameStrategy.class, TopicNameStrategy::new);
        addStrategy(byName, RecordNameStrategy.class, RecordNameStrategy::new);
        addStrategy(byName, TopicRecordNameStrategy.class, TopicRecordNameStrategy::new);
        return Map.copyOf(byName);
    }

    private static void addStrategy(Map<String, Supplier<SubjectNameStrategy>> byName,
                                    Class<? extends SubjectNameStrategy> type, Supplier<SubjectNameStrategy> factory) {
        byName.put(type.getSimpleName(), factory);
        byName.put(type.getName(), factory);
        byName.put("io.confluent.kafka.serializers.subject." + type.getSimpleName(), factory);
    }

    private static final class StrategyValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (!(value instanceof String strategy) || !STRATEGIES.containsKey(strategy)) {
                throw new ConfigException(name, value,
                        "expected one of TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy (by simple "
                                + "name, dev.grustream.serde.* or io.confluent.kafka.serializers.subject.*)");
            }
        }

        @Override
        public String toString() {
            return "[TopicNameStrategy, RecordNameStrategy, TopicRecordNameStrategy]";
        }
    }

    private static final class UserInfoValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof Password password && !password.value().isEmpty()
                    && password.value().indexOf(':') < 0) {
                throw new ConfigException(name, value, "expected 'user:password', found no ':'");
            }
        }

        @Override
        public String toString() {
            return "user:password";
        }
    }

    // Messages name the key but never echo the value: a URL may carry a password.
    private static final class UrlListValidator implements ConfigDef.Validator {
        @Override
        public void ensureValid(String name, Object value) {
            List<?> urls = (List<?>) value;
            for (Object url : urls) {
                String text = String.valueOf(url);
                if (text.startsWith(MOCK_URL_PREFIX)) {
                    if (urls.size() != 1 || text.length() == MOCK_URL_PREFIX.length()) {
                        throw invalid(name, "expected a single 'mock://<scope>' URL with a non-empty scope, found "
                                + urls.size() + " URL(s) including '" + text + "'");
                    }
                } else {
                    checkHttpUrl(name, text);
                }
            }
        }

        private static void checkHttpUrl(String name, String text) {
            URI uri;
            try {
                uri = new URI(text);
            } catch (URISyntaxException e) {
                throw invalid(name, "a URL does not parse: " + e.getReason() + " at index " + e.getIndex());
            }
            String scheme = uri.getScheme();
            if (!"http".equalsIgnoreCase(scheme) && !"https".equalsIgnoreCase(scheme) || uri.getHost() == null) {
                throw invalid(name, "expected http(s)://host[:port][/path] or mock://<scope>, found a URL with scheme "
                        + scheme + " and host " + uri.getHost());
            }
        }

        private static ConfigException invalid(String name, String message) {
            return new ConfigException("Invalid value for configuration " + name + ": " + message);
        }

        @Override
        public String toString() {
            return "http(s)://host:port[,...] or mock://scope";
        }
    }
}
