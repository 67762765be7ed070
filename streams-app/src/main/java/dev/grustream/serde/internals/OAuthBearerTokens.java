package dev.grustream.serde.internals;

import dev.grustream.serde.AvroSerdeConfig;
import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.security.oauthbearer.ClientCredentialsJwtRetriever;
import org.apache.kafka.common.security.oauthbearer.ClientJwtValidator;
import org.apache.kafka.common.security.oauthbearer.JwtRetriever;
import org.apache.kafka.common.security.oauthbearer.JwtValidator;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.internals.secured.UnretryableException;

/**
 * The registry client's bearer tokens for {@code bearer.auth.credentials.source=OAUTHBEARER}: fetched from an OAuth
 * token endpoint by the client-credentials grant and read (expiry, subject, scope) by Kafka's own
 * {@link ClientCredentialsJwtRetriever} and {@link ClientJwtValidator}, the classes Kafka's clients use for
 * SASL/OAUTHBEARER, so the token endpoint is spoken to as Kafka speaks to it (its retries, its allowed-URL check). A
 * token is kept until {@code bearer.auth.cache.expiry.buffer.seconds} before it expires (half-way through its life
 * when that comes first), then the next caller fetches a new one on its own thread.
 *
 * <p>A token endpoint that refuses the client (HTTP 4xx: a wrong id or secret) or answers with a token that cannot be
 * used is reported as a {@link SchemaRegistryException} with status 401, as a registry refusing the client would be:
 * no request can be authenticated until the settings are mended. One that cannot be reached, or fails, is reported as
 * {@link SchemaRegistryUnavailableException}, an outage.
 *
 * <p>Lifecycle: built with the registry client, lives as long. Thread-safe: one fetch at a time, callers that need a
 * token meanwhile wait for it.
 */
public final class OAuthBearerTokens {
    private static final String MECHANISM = "OAUTHBEARER";

    private final JwtRetriever retriever;
    private final JwtValidator validator;
    private final String endpoint;
    private final Duration expiryBuffer;
    private final Clock clock;
    /** The token kept and when to fetch the next one; guarded by this. */
    private OAuthBearerToken current;
    private Instant renewAt;

    OAuthBearerTokens(JwtRetriever retriever, JwtValidator validator, String endpoint, Duration expiryBuffer,
            Clock clock) {
        this.retriever = Objects.requireNonNull(retriever, "retriever");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.expiryBuffer = Objects.requireNonNull(expiryBuffer, "expiryBuffer");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Tokens from the endpoint, client and scope of a validated configuration whose bearer source is OAUTHBEARER.
     *
     * @throws ConfigException naming {@code bearer.auth.issuer.endpoint.url} when Kafka refuses it: malformed, or not
     *     allowed by the JVM's {@code org.apache.kafka.sasl.oauthbearer.allowed.urls}
     */
    public static OAuthBearerTokens create(AvroSerdeConfig config, Clock clock) {
        String endpoint = config.getString(AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG).strip();
        Map<String, Object> sasl = new HashMap<>();
        sasl.put(SaslConfigs.SASL_OAUTHBEARER_TOKEN_ENDPOINT_URL, endpoint);
        sasl.put(SaslConfigs.SASL_OAUTHBEARER_CLIENT_CREDENTIALS_CLIENT_ID,
                config.getString(AvroSerdeConfig.BEARER_AUTH_CLIENT_ID_CONFIG).strip());
        sasl.put(SaslConfigs.SASL_OAUTHBEARER_CLIENT_CREDENTIALS_CLIENT_SECRET,
                new Password(config.oauthClientSecret().orElseThrow()));
        String scope = config.getString(AvroSerdeConfig.BEARER_AUTH_SCOPE_CONFIG).strip();
        if (!scope.isEmpty()) {
            sasl.put(SaslConfigs.SASL_OAUTHBEARER_SCOPE, scope);
        }
        sasl.put(SaslConfigs.SASL_OAUTHBEARER_SCOPE_CLAIM_NAME,
                config.getString(AvroSerdeConfig.BEARER_AUTH_SCOPE_CLAIM_NAME_CONFIG));
        sasl.put(SaslConfigs.SASL_OAUTHBEARER_SUB_CLAIM_NAME,
                config.getString(AvroSerdeConfig.BEARER_AUTH_SUB_CLAIM_NAME_CONFIG));
        // Kafka's defaults wait for an answer without end; the registry's own timeouts bound the token endpoint too.
        sasl.put(SaslConfigs.SASL_LOGIN_CONNECT_TIMEOUT_MS, (int) config.connectTimeout().toMillis());
        sasl.put(SaslConfigs.SASL_LOGIN_READ_TIMEOUT_MS, (int) config.requestTimeout().toMillis());
        sasl.put(SaslConfigs.SASL_LOGIN_RETRY_BACKOFF_MS, config.retryWait().toMillis());
        sasl.put(SaslConfigs.SASL_LOGIN_RETRY_BACKOFF_MAX_MS, config.retryMaxWait().toMillis());
        Map<String, ?> values = new AbstractConfig(new ConfigDef().withClientSaslSupport(), sasl, false).values();
        // Kafka's retriever takes its options from exactly one login; every setting is given above instead.
        List<AppConfigurationEntry> login = List.of(new AppConfigurationEntry(OAuthBearerLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, Map.of()));
        ClientCredentialsJwtRetriever retriever = new ClientCredentialsJwtRetriever();
        ClientJwtValidator validator = new ClientJwtValidator();
        try {
            retriever.configure(values, MECHANISM, login);
            validator.configure(values, MECHANISM, login);
        } catch (ConfigException e) {
            throw new ConfigException(AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG + " (or another "
                    + "bearer.auth.* setting) was refused by Kafka's OAuth client: " + e.getMessage());
        }
        return new OAuthBearerTokens(retriever, validator, endpoint, config.oauthExpiryBuffer(), clock);
    }

    /** A token to send: the one kept while it is fresh enough, else a new one fetched on the caller's thread. */
    public synchronized String token() {
        Instant now = clock.instant();
        if (current == null || !now.isBefore(renewAt)) {
            fetch(now);
        }
        return current.value();
    }

    /**
     * Forgets {@code token} if it is the one kept, so that the next call fetches another: the registry refused it
     * before it expired (revoked, say). A token fetched meanwhile by another caller is kept.
     */
    public synchronized void refused(String token) {
        if (current != null && current.value().equals(token)) {
            current = null;
        }
    }

    private void fetch(Instant now) {
        String jwt;
        try {
            jwt = retriever.retrieve();
        } catch (KafkaException e) {
            if (refusedByEndpoint(e)) {
                throw new SchemaRegistryException("The OAuth token endpoint " + endpoint + " refused the client"
                        + " credentials of bearer.auth.client.id and bearer.auth.client.secret: " + e.getMessage(),
                        401, SchemaRegistryException.NO_ERROR_CODE, e);
            }
            throw new SchemaRegistryUnavailableException("No token from the OAuth token endpoint " + endpoint + ": "
                    + e.getMessage(), SchemaRegistryException.NO_STATUS, SchemaRegistryException.NO_ERROR_CODE, e);
        }
        OAuthBearerToken token;
        try {
            token = validator.validate(jwt);
        } catch (KafkaException e) {
            throw new SchemaRegistryException("The OAuth token endpoint " + endpoint + " answered with a token that"
                    + " cannot be used: " + e.getMessage() + " (see bearer.auth.sub.claim.name and"
                    + " bearer.auth.scope.claim.name)", 401, SchemaRegistryException.NO_ERROR_CODE, e);
        }
        Instant expiry = Instant.ofEpochMilli(token.lifetimeMs());
        Duration life = Duration.between(now, expiry);
        Duration keep = life.minus(expiryBuffer);
        renewAt = now.plus(keep.compareTo(life.dividedBy(2)) < 0 ? life.dividedBy(2) : keep);
        current = token;
    }

    /** Whether the endpoint answered with an error no retry mends (HTTP 4xx but 408 and 429, as Kafka judges it). */
    private static boolean refusedByEndpoint(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnretryableException) {
                return true;
            }
        }
        return false;
    }
}
