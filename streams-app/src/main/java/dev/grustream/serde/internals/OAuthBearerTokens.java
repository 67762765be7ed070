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
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import javax.net.ssl.SSLException;
import javax.security.auth.login.AppConfigurationEntry;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.SaslConfigs;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.security.oauthbearer.ClientCredentialsJwtRetriever;
import org.apache.kafka.common.security.oauthbearer.ClientJwtValidator;
import org.apache.kafka.common.security.oauthbearer.JwtRetriever;
import org.apache.kafka.common.security.oauthbearer.JwtRetrieverException;
import org.apache.kafka.common.security.oauthbearer.JwtValidator;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.apache.kafka.common.security.oauthbearer.internals.secured.UnretryableException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The registry client's bearer tokens for {@code bearer.auth.credentials.source=OAUTHBEARER}: fetched from an OAuth
 * token endpoint by the client-credentials grant and read (expiry, subject, scope) by Kafka's own
 * {@link ClientCredentialsJwtRetriever} and {@link ClientJwtValidator}, the classes Kafka's clients use for
 * SASL/OAUTHBEARER, so the token endpoint is spoken to as Kafka speaks to it (its requests, its allowed-URL
 * check), over the registry client's TLS settings, and retried as the registry client retries a request. A token is
 * kept until {@code bearer.auth.cache.expiry.buffer.seconds} before it expires (half-way through its life when that
 * comes first), then the next caller fetches a new one on its own thread; while that fails, the old token serves
 * until it expires.
 *
 * <p>What the settings must mend is reported as a {@link SchemaRegistryException} with status 401, as a registry
 * refusing the client would be (the instance stops with the message): a token endpoint that refuses the request (HTTP
 * 4xx but 408 and 429, or 501 or 505, as Kafka judges them: a wrong id, secret or URL), an answer without a token, a
 * token that cannot be read or has expired already; a TLS handshake refused is a {@link SchemaRegistryException}
 * with that {@code SSLException} as its cause, which stops the instance as well. An endpoint that cannot be reached or
 * fails is a {@link SchemaRegistryUnavailableException}, an outage, remembered for {@code retryPause} so that callers
 * meanwhile do not each wait for it again.
 *
 * <p>Lifecycle: built with the registry client, lives as long. Thread-safe: one fetch at a time, outside the lock
 * that guards the kept token; callers that need a token meanwhile use the kept one while it is valid, else wait.
 */
public final class OAuthBearerTokens {
    private static final Logger LOG = LoggerFactory.getLogger(OAuthBearerTokens.class);
    private static final String MECHANISM = "OAUTHBEARER";
    private static final Duration MIN_RETRY_PAUSE = Duration.ofSeconds(1);
    /**
     * Kafka's retry settings for the token endpoint: one attempt, the retries being this class's. Kafka's loop makes
     * its first attempt only if its clock has not passed the end of its window when it looks, and after a failure
     * waits {@code backoff * 2^n} cut to the window's end, so its window cannot stand for a count of retries: a window
     * of 0 made no attempt at all whenever a millisecond ticked between two readings of its clock, and a window of
     * the retries' waits made the last retry only if the clock still read the window's end after the wait before it.
     * A backoff of 0 ends its loop after the first failure; the window gives that attempt a second to start.
     */
    static final Map<String, Long> ONE_ATTEMPT = Map.of(SaslConfigs.SASL_LOGIN_RETRY_BACKOFF_MS, 0L,
            SaslConfigs.SASL_LOGIN_RETRY_BACKOFF_MAX_MS, 1_000L);

    private final JwtRetriever retriever;
    private final JwtValidator validator;
    private final String endpoint;
    private final Duration expiryBuffer;
    private final Duration retryPause;
    private final RetryBudget retries;
    private final Clock clock;
    /** Held by the one caller that fetches; the others wait for it only when they have no valid token. */
    private final ReentrantLock renewal = new ReentrantLock();
    /** The token kept, when it expires and when to fetch the next one; guarded by this. */
    private OAuthBearerToken current;
    private Instant expiry;
    private Instant renewAt;
    /** The last outage and until when it is reported without asking again; guarded by this. */
    private SchemaRegistryUnavailableException outage;
    private Instant outageUntil;

    OAuthBearerTokens(JwtRetriever retriever, JwtValidator validator, String endpoint, Duration expiryBuffer,
            Duration retryPause, RetryBudget retries, Clock clock) {
        this.retriever = Objects.requireNonNull(retriever, "retriever");
        this.validator = Objects.requireNonNull(validator, "validator");
        this.endpoint = Objects.requireNonNull(endpoint, "endpoint");
        this.expiryBuffer = Objects.requireNonNull(expiryBuffer, "expiryBuffer");
        this.retryPause = Objects.requireNonNull(retryPause, "retryPause");
        this.retries = Objects.requireNonNull(retries, "retries");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * Tokens from the endpoint, client and scope of a validated configuration whose bearer source is OAUTHBEARER.
     * A fetch that fails as an outage is retried as the registry client retries a request ({@code max.retries} times,
     * waiting {@code retries.wait.ms}, doubled after each retry up to {@code retries.max.wait.ms}), each attempt
     * bounded by the client's timeouts.
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
        sasl.putAll(ONE_ATTEMPT);
        Map<String, ?> values = new AbstractConfig(new ConfigDef().withClientSaslSupport(), sasl, false).values();
        // Kafka's retriever takes its TLS settings, and nothing else here, from exactly one login's options.
        List<AppConfigurationEntry> login = List.of(new AppConfigurationEntry(OAuthBearerLoginModule.class.getName(),
                AppConfigurationEntry.LoginModuleControlFlag.REQUIRED, tlsOptions(config)));
        ClientCredentialsJwtRetriever retriever = new ClientCredentialsJwtRetriever();
        ClientJwtValidator validator = new ClientJwtValidator();
        try {
            retriever.configure(values, MECHANISM, login);
            validator.configure(values, MECHANISM, login);
        } catch (RuntimeException e) {
            // Kafka reports a URL it may not reach, or TLS files it cannot read, as a ConfigException; anything else
            // it throws while configuring is reported the same way, naming the settings.
            throw new ConfigException(AvroSerdeConfig.BEARER_AUTH_ISSUER_ENDPOINT_URL_CONFIG + " (or another "
                    + "bearer.auth.* or schema.registry.ssl.* setting) was refused by Kafka's OAuth client: "
                    + e.getMessage());
        }
        Duration pause = config.retryWait().compareTo(MIN_RETRY_PAUSE) < 0 ? MIN_RETRY_PAUSE : config.retryWait();
        return new OAuthBearerTokens(retriever, validator, endpoint, config.oauthExpiryBuffer(), pause,
                new RetryBudget(config.maxRetries(), config.retryWait(), config.retryMaxWait()), clock);
    }

    /** {@code schema.registry.ssl.*} as the string options Kafka's retriever reads its TLS settings from. */
    private static Map<String, String> tlsOptions(AvroSerdeConfig config) {
        Map<String, String> options = new HashMap<>();
        config.sslOriginals().forEach((key, value) -> {
            if (value != null) {
                options.put(key, value instanceof Password password ? password.value()
                        : value instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                        : value.toString());
            }
        });
        return options;
    }

    /**
     * A token to send: the one kept while it is fresh enough, else a new one fetched on the caller's thread. While one
     * caller renews a token that has not expired yet, the others go on with it rather than wait for the renewal.
     *
     * @throws InterruptException if the thread is interrupted while it waits for another caller's fetch or between
     *     its own fetch's attempts
     */
    public String token() {
        Optional<String> kept = kept(false);
        if (kept.isPresent()) {
            return kept.get();
        }
        if (!renewal.tryLock()) {
            Optional<String> valid = kept(true);
            if (valid.isPresent()) {
                return valid.get();
            }
            try {
                renewal.lockInterruptibly();
            } catch (InterruptedException e) {
                throw new InterruptException(e);
            }
        }
        try {
            // Renewed meanwhile by the caller this one waited for?
            return kept(false).orElseGet(this::renew);
        } finally {
            renewal.unlock();
        }
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

    /** The kept token while it is fresh (or, with {@code untilExpiry}, until it expires), else empty. */
    private synchronized Optional<String> kept(boolean untilExpiry) {
        Instant now = clock.instant();
        return current != null && now.isBefore(untilExpiry ? expiry : renewAt) ? Optional.of(current.value())
                : Optional.empty();
    }

    /** Fetches a new token, outside the monitor; called holding {@link #renewal}. */
    private String renew() {
        synchronized (this) {
            Instant now = clock.instant();
            if (outage != null && now.isBefore(outageUntil)) {
                return keptThrough(new SchemaRegistryUnavailableException(outage.getMessage() + " (remembered for "
                        + retryPause.toMillis() + " ms)", outage.status(), outage.errorCode(), outage), now);
            }
        }
        OAuthBearerToken token;
        try {
            token = read(fetch());
        } catch (SchemaRegistryException e) {
            synchronized (this) {
                // The time after the failed fetch, which took up to every attempt's timeouts and the waits between.
                Instant now = clock.instant();
                if (e instanceof SchemaRegistryUnavailableException unavailable) {
                    outage = unavailable;
                    outageUntil = now.plus(retryPause);
                }
                return keptThrough(e, now);
            }
        }
        synchronized (this) {
            Instant now = clock.instant();
            Instant expires = Instant.ofEpochMilli(token.lifetimeMs());
            if (!expires.isAfter(now)) {
                return keptThrough(new SchemaRegistryException("The OAuth token endpoint " + endpoint + " answered"
                        + " with a token that expired at " + expires + ", before this machine's time " + now
                        + ": is either clock wrong?", 401, SchemaRegistryException.NO_ERROR_CODE), now);
            }
            Duration life = Duration.between(now, expires);
            Duration keep = life.minus(expiryBuffer);
            current = token;
            expiry = expires;
            renewAt = now.plus(keep.compareTo(life.dividedBy(2)) < 0 ? life.dividedBy(2) : keep);
            outage = null;
            return token.value();
        }
    }

    /** The kept token if it has not expired, to be renewed again after the pause; else {@code failure} thrown. */
    private String keptThrough(SchemaRegistryException failure, Instant now) {
        assert Thread.holdsLock(this);
        if (current == null || !now.isBefore(expiry)) {
            throw failure;
        }
        LOG.warn("No new OAuth token; the current one serves until it expires at {} or the registry refuses it: {}",
                expiry, failure.getMessage());
        renewAt = now.plus(retryPause).isBefore(expiry) ? now.plus(retryPause) : expiry;
        return current.value();
    }

    /** The token endpoint's answer, a JWT not yet read, asked again after an outage while retries are left. */
    private String fetch() {
        for (int retry = 0; ; retry++) {
            try {
                return fetchOnce();
            } catch (SchemaRegistryUnavailableException e) {
                if (retry >= retries.maxRetries()) {
                    throw e;
                }
                RestSchemaRegistryClient.sleep(retries.waitBefore(retry));
            }
        }
    }

    private String fetchOnce() {
        try {
            return retriever.retrieve();
        } catch (JwtRetrieverException e) {
            // Left out as cause and message: Kafka's message quotes the answer, which may hold a token after all.
            throw new SchemaRegistryException("The OAuth token endpoint " + endpoint + " answered without an"
                    + " access_token or id_token that reads as a JWT (is bearer.auth.issuer.endpoint.url a token"
                    + " endpoint?)", 401, SchemaRegistryException.NO_ERROR_CODE);
        } catch (RuntimeException e) {
            for (Throwable cause = e; cause != null; cause = cause.getCause()) {
                if (cause instanceof UnretryableException) {
                    throw new SchemaRegistryException("The OAuth token endpoint " + endpoint + " refused the"
                            + " request: " + cause.getMessage() + " (check bearer.auth.client.id,"
                            + " bearer.auth.client.secret and bearer.auth.issuer.endpoint.url)", 401,
                            SchemaRegistryException.NO_ERROR_CODE, e);
                }
                if (cause instanceof SSLException tls && RestSchemaRegistryClient.tlsRefused(tls)) {
                    throw new SchemaRegistryException("The TLS handshake with the OAuth token endpoint " + endpoint
                            + " failed: " + tls.getMessage() + " (check schema.registry.ssl.truststore.*: the"
                            + " endpoint's certificate must be trusted and name its host)",
                            SchemaRegistryException.NO_STATUS, SchemaRegistryException.NO_ERROR_CODE, tls);
                }
            }
            throw new SchemaRegistryUnavailableException("No token from the OAuth token endpoint " + endpoint + ": "
                    + e.getMessage(), SchemaRegistryException.NO_STATUS, SchemaRegistryException.NO_ERROR_CODE, e);
        }
    }

    /** {@code jwt} read for its expiry, subject and scope. */
    private OAuthBearerToken read(String jwt) {
        try {
            return validator.validate(jwt);
        } catch (RuntimeException e) {
            // Not only Kafka's JwtValidatorException: a claim of another type than it expects is a ClassCastException.
            throw new SchemaRegistryException("The OAuth token endpoint " + endpoint + " answered with a token that"
                    + " cannot be used: " + e.getMessage() + " (see bearer.auth.sub.claim.name and"
                    + " bearer.auth.scope.claim.name)", 401, SchemaRegistryException.NO_ERROR_CODE, e);
        }
    }

    /**
     * The registry client's retries, which the token endpoint gets too: {@code maxRetries} attempts after the first,
     * waiting {@code firstWait} before the first retry and twice as long before each next one, at most {@code
     * longestWait}.
     */
    record RetryBudget(int maxRetries, Duration firstWait, Duration longestWait) {
        /** One attempt only. */
        static final RetryBudget NONE = new RetryBudget(0, Duration.ZERO, Duration.ZERO);

        Duration waitBefore(int retry) {
            return RestSchemaRegistryClient.backoff(firstWait, longestWait, retry);
        }
    }
}
