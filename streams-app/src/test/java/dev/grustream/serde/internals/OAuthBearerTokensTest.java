package dev.grustream.serde.internals;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.grustream.serde.SchemaRegistryException;
import dev.grustream.serde.SchemaRegistryUnavailableException;
import dev.grustream.testing.MovableClock;
import java.net.ConnectException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.security.auth.login.AppConfigurationEntry;

import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.security.oauthbearer.JwtRetriever;
import org.apache.kafka.common.security.oauthbearer.JwtValidator;
import org.apache.kafka.common.security.oauthbearer.OAuthBearerToken;
import org.junit.jupiter.api.Test;

/** When the kept token is renewed, with a clock the test moves and tokens whose expiry it chooses. */
class OAuthBearerTokensTest {
    private static final Instant START = Instant.parse("2026-12-06T12:00:00Z");
    private static final Duration BUFFER = Duration.ofSeconds(300);
    private static final Duration PAUSE = Duration.ofSeconds(1);

    private final MovableClock clock = new MovableClock(START);
    private Duration life = Duration.ofHours(1);
    private int fetches;
    /** The fetches from which on the endpoint cannot be reached. */
    private int reachableFetches = Integer.MAX_VALUE;
    /** How far the clock moves during each fetch. */
    private Duration fetchTakes = Duration.ZERO;
    /** Run within each fetch after the first, to hold it. */
    private Runnable heldFetch = () -> { };

    @Test
    void keepsATokenUntilTheBufferBeforeItsExpiry() {
        OAuthBearerTokens tokens = tokens();
        String first = tokens.token();

        clock.set(START.plus(life).minus(BUFFER).minusSeconds(1));
        assertThat(tokens.token()).isEqualTo(first);
        clock.set(START.plus(life).minus(BUFFER));
        assertThat(tokens.token()).isNotEqualTo(first);
        assertThat(fetches).isEqualTo(2);
    }

    @Test
    void renewsATokenHalfWayThroughALifeShorterThanTwiceTheBuffer() {
        life = Duration.ofSeconds(400);
        OAuthBearerTokens tokens = tokens();
        String first = tokens.token();

        clock.set(START.plusSeconds(199));
        assertThat(tokens.token()).isEqualTo(first);
        clock.set(START.plusSeconds(200));
        assertThat(tokens.token()).isNotEqualTo(first);
    }

    @Test
    void aRefusedTokenIsFetchedAgainButOneFetchedMeanwhileIsKept() {
        OAuthBearerTokens tokens = tokens();
        String first = tokens.token();

        tokens.refused(first);
        String second = tokens.token();
        tokens.refused(first);

        assertThat(second).isNotEqualTo(first);
        assertThat(tokens.token()).isEqualTo(second);
        assertThat(fetches).isEqualTo(2);
    }

    @Test
    void aFailedRenewalLeavesTheTokenKeptServingUntilItExpires() {
        reachableFetches = 1;
        OAuthBearerTokens tokens = tokens();
        String first = tokens.token();

        clock.set(START.plus(life).minus(BUFFER));
        assertThat(tokens.token()).isEqualTo(first);
        clock.set(START.plus(life));
        assertThatThrownBy(tokens::token).isInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("http://idp.invalid/token");
    }

    @Test
    void anOutageIsRememberedForThePauseRatherThanAskedAgainByEachCaller() {
        reachableFetches = 0;
        OAuthBearerTokens tokens = tokens();

        assertThatThrownBy(tokens::token).isInstanceOf(SchemaRegistryUnavailableException.class);
        clock.set(START.plus(PAUSE).minusMillis(1));
        assertThatThrownBy(tokens::token).isInstanceOf(SchemaRegistryUnavailableException.class);
        assertThat(fetches).isEqualTo(1);
        clock.set(START.plus(PAUSE));
        assertThatThrownBy(tokens::token).isInstanceOf(SchemaRegistryUnavailableException.class);
        assertThat(fetches).isEqualTo(2);
    }

    @Test
    void anOutageIsRememberedFromTheEndOfTheFetchThatFailed() {
        reachableFetches = 0;
        fetchTakes = Duration.ofSeconds(7);
        OAuthBearerTokens tokens = tokens();

        assertThatThrownBy(tokens::token).isInstanceOf(SchemaRegistryUnavailableException.class);
        assertThatThrownBy(tokens::token).isInstanceOf(SchemaRegistryUnavailableException.class);

        assertThat(fetches).isEqualTo(1);
    }

    @Test
    void whileOneCallerRenewsAValidTokenTheOthersGoOnWithIt() throws Exception {
        CountDownLatch fetching = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        OAuthBearerTokens tokens = tokens();
        String first = tokens.token();
        heldFetch = () -> {
            fetching.countDown();
            awaitQuietly(answer);
        };
        clock.set(START.plus(life).minus(BUFFER));

        CompletableFuture<String> renewing = CompletableFuture.supplyAsync(tokens::token);
        assertThat(fetching.await(10, TimeUnit.SECONDS)).isTrue();
        String meanwhile = CompletableFuture.supplyAsync(tokens::token).get(10, TimeUnit.SECONDS);
        answer.countDown();

        assertThat(meanwhile).isEqualTo(first);
        assertThat(renewing.get(10, TimeUnit.SECONDS)).isEqualTo("token-2");
        assertThat(tokens.token()).isEqualTo("token-2");
    }

    @Test
    void aTokenExpiredOnArrivalIsRefusedAsAClockFaultNotAnOutage() {
        life = Duration.ofSeconds(-5);

        assertThatThrownBy(tokens()::token).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(SchemaRegistryUnavailableException.class).hasMessageContaining("clock")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(401));
    }

    @Test
    void aTokenWhoseClaimsCannotBeReadIsRefusedNotAnOutage() {
        OAuthBearerTokens tokens = new OAuthBearerTokens(new CountingRetriever(), new ClaimCastingValidator(),
                "http://idp.invalid/token", BUFFER, PAUSE, OAuthBearerTokens.RetryBudget.NONE, clock);

        assertThatThrownBy(tokens::token).isInstanceOf(SchemaRegistryException.class)
                .isNotInstanceOf(SchemaRegistryUnavailableException.class)
                .hasMessageContaining("bearer.auth.sub.claim.name")
                .satisfies(e -> assertThat(((SchemaRegistryException) e).status()).isEqualTo(401));
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            assertThat(latch.await(10, TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private OAuthBearerTokens tokens() {
        return new OAuthBearerTokens(new CountingRetriever(), new LifetimeValidator(), "http://idp.invalid/token",
                BUFFER, PAUSE, OAuthBearerTokens.RetryBudget.NONE, clock);
    }

    /** Issues "token-1", "token-2", ... and counts them; fails after {@link #reachableFetches}. */
    private final class CountingRetriever implements JwtRetriever {
        @Override
        public String retrieve() {
            fetches++;
            if (fetches > 1) {
                heldFetch.run();
            }
            clock.advance(fetchTakes);
            if (fetches > reachableFetches) {
                throw new KafkaException(new ConnectException("Connection refused"));
            }
            return "token-" + fetches;
        }

        @Override
        public void configure(Map<String, ?> configs, String mechanism, List<AppConfigurationEntry> entries) {
        }
    }

    /** Reads every token as living {@link #life} from the clock's time at its issue. */
    private final class LifetimeValidator implements JwtValidator {
        @Override
        public OAuthBearerToken validate(String jwt) {
            long expiry = clock.instant().plus(life).toEpochMilli();
            return new OAuthBearerToken() {
                @Override
                public String value() {
                    return jwt;
                }

                @Override
                public Set<String> scope() {
                    return Set.of();
                }

                @Override
                public long lifetimeMs() {
                    return expiry;
                }

                @Override
                public String principalName() {
                    return "gru-stream";
                }

                @Override
                public Long startTimeMs() {
                    return null;
                }
            };
        }

        @Override
        public void configure(Map<String, ?> configs, String mechanism, List<AppConfigurationEntry> entries) {
        }
    }

    /** Fails as Kafka's validator does on a claim of another type than it expects. */
    private static final class ClaimCastingValidator implements JwtValidator {
        @Override
        public OAuthBearerToken validate(String jwt) {
            throw new ClassCastException("class java.lang.String cannot be cast to class java.lang.Number");
        }

        @Override
        public void configure(Map<String, ?> configs, String mechanism, List<AppConfigurationEntry> entries) {
        }
    }
}
