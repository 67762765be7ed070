package dev.grustream.serde.internals;

import dev.grustream.serde.AvroSerdeConfig;
import dev.grustream.serde.MockSchemaRegistry;
import dev.grustream.serde.SchemaRegistryClient;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SslConfigs;
import org.apache.kafka.common.security.ssl.DefaultSslEngineFactory;

/** Builds the registry client a validated {@link AvroSerdeConfig} asks for. Stateless. */
public final class SchemaRegistryClients {
    private SchemaRegistryClients() {
    }

    /**
     * Returns the shared client of a {@code mock://} scope, or a caching REST client over the configured URLs.
     *
     * @throws ConfigException naming {@link AvroSerdeConfig#SCHEMA_REGISTRY_URL_CONFIG} when no URL is configured
     */
    public static SchemaRegistryClient create(AvroSerdeConfig config) {
        Optional<String> scope = config.mockScope();
        if (scope.isPresent()) {
            return new CachingSchemaRegistryClient(MockSchemaRegistry.clientForScope(scope.get()),
                    config.maxSchemasPerSubject(), config.missingIdTtl(), config.missingCacheSize());
        }
        List<String> urls = config.schemaRegistryUrls();
        if (urls.isEmpty()) {
            throw new ConfigException("Missing required configuration \"" + AvroSerdeConfig.SCHEMA_REGISTRY_URL_CONFIG
                    + "\": expected http(s)://host:port[,...] or mock://<scope>");
        }
        List<RestSchemaRegistryClient.Endpoint> endpoints = new ArrayList<>(urls.size());
        for (String url : urls) {
            endpoints.add(endpoint(url, config));
        }
        RestSchemaRegistryClient.Options options = new RestSchemaRegistryClient.Options(config.connectTimeout(),
                config.requestTimeout(), config.sslSettings().map(SchemaRegistryClients::tls), config.proxy(),
                config.normalizeSchemas(), config.maxRetries(), config.retryWait(), config.retryMaxWait(),
                config.oauthBearer() ? Optional.of(OAuthBearerTokens.create(config, Clock.systemUTC()))
                        : Optional.empty());
        return new CachingSchemaRegistryClient(new RestSchemaRegistryClient(endpoints, options),
                config.maxSchemasPerSubject(), config.missingIdTtl(), config.missingCacheSize());
    }

    /**
     * The TLS of {@code schema.registry.ssl.*}: the context built by Kafka's own factory as Kafka's clients build it,
     * limited to {@code ssl.enabled.protocols} and, when set, {@code ssl.cipher.suites}, which the context alone
     * does not carry.
     */
    private static RestSchemaRegistryClient.Tls tls(Map<String, Object> ssl) {
        DefaultSslEngineFactory factory = new DefaultSslEngineFactory();
        SSLContext context;
        try {
            factory.configure(ssl);
            context = factory.sslContext();
        } catch (KafkaException e) {
            throw new ConfigException("Cannot build the Schema Registry client's TLS context from "
                    + AvroSerdeConfig.SSL_PREFIX + "ssl.*: " + e.getMessage());
        }
        SSLParameters parameters = context.getDefaultSSLParameters();
        parameters.setProtocols(strings(ssl.get(SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG), parameters.getProtocols()));
        parameters.setCipherSuites(strings(ssl.get(SslConfigs.SSL_CIPHER_SUITES_CONFIG), parameters.getCipherSuites()));
        try {
            // Names are only checked where a connection is made: a misspelt one would fail every request instead.
            context.createSSLEngine().setSSLParameters(parameters);
        } catch (IllegalArgumentException e) {
            throw new ConfigException("The Schema Registry client's " + AvroSerdeConfig.SSL_PREFIX
                    + SslConfigs.SSL_ENABLED_PROTOCOLS_CONFIG + " or " + AvroSerdeConfig.SSL_PREFIX
                    + SslConfigs.SSL_CIPHER_SUITES_CONFIG + " names what this JVM does not know: " + e.getMessage());
        }
        return new RestSchemaRegistryClient.Tls(context, parameters);
    }

    /** A list setting's values, or {@code otherwise} when it is unset or empty. */
    private static String[] strings(Object values, String[] otherwise) {
        return values instanceof List<?> list && !list.isEmpty()
                ? list.stream().map(Object::toString).toArray(String[]::new) : otherwise;
    }

    private static RestSchemaRegistryClient.Endpoint endpoint(String url, AvroSerdeConfig config) {
        URI uri = URI.create(url);
        // A URL's user info is sent as written, not percent-decoded, as Confluent's client sends it.
        Optional<String> userInfo = config.credentialsFromConfig()
                ? config.basicAuthUserInfo()
                : Optional.ofNullable(uri.getRawUserInfo());
        String authority = uri.getRawAuthority();
        URI base = URI.create(uri.getScheme() + "://" + authority.substring(authority.lastIndexOf('@') + 1)
                + (uri.getRawPath() == null ? "" : uri.getRawPath()));
        Map<String, String> headers = new LinkedHashMap<>();
        // A bearer token replaces basic auth, as in Confluent's client; an OAuth one is added to each request.
        if (!config.oauthBearer()) {
            config.bearerToken().map(token -> "Bearer " + token)
                    .or(() -> userInfo.map(SchemaRegistryClients::basicAuth))
                    .ifPresent(authorization -> headers.put("Authorization", authorization));
        }
        headers.putAll(config.bearerTargetHeaders());
        return new RestSchemaRegistryClient.Endpoint(base, headers);
    }

    private static String basicAuth(String userInfo) {
        return "Basic " + Base64.getEncoder().encodeToString(userInfo.getBytes(StandardCharsets.UTF_8));
    }
}
