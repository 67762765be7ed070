package dev.grustream.service;

import dev.grustream.forecast.ForecastRules;
import dev.grustream.http.ModelStatus;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.GruStepper;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.ModelWriter;
import dev.grustream.topology.ActiveModel;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.helpers.NOPLogger;

/**
 * The gate through which a new model replaces the one being served without a restart: it checks a candidate, and
 * swaps it into the {@link ActiveModel} only if it passes; otherwise the serving model stays and the refusal is
 * logged, counted and reported by {@code GET /v1/model}.
 *
 * <p>A candidate is swapped in when:
 * <ul>
 *   <li>it loads and validates (the model loader's checks: files, shapes, finite weights);</li>
 *   <li>its name or version differs from the serving model's: the same name and version is the model already
 *       being served, left as it is, and refused if its contents differ (its {@link ModelWriter#fingerprint}): a
 *       changed model must carry a new version, because keys restart only when the version that made their state
 *       differs, and instances started later would serve the other contents under the same version;</li>
 *   <li>it has the same features and the same targets as the serving model, as sets (order is free). Observations
 *       carry the serving model's features and downstream consumers read its targets: a model over other features
 *       or targets is a new deployment, not a swap. Sizes, layers, gate variant, horizon, normalisation and
 *       weights may all change;</li>
 *   <li>one step of it runs on the configured backend and gives finite forecasts.</li>
 * </ul>
 * Tasks read the active model once per batch, so the switch happens between two batches; each key then restarts
 * its state at its next event (state reset {@code MODEL_CHANGE}), as it does for any state made by another model.
 *
 * <p>Meters: {@code gru.model.swaps} tagged {@code outcome=applied|rejected}, which leaves out the offers of the
 * models topic's replay as an instance starts ({@link #replaying}), so that a restart does not count the topic's
 * history again; {@code gru.model.info}, 1 tagged with the serving model's {@code name} and {@code version}; for the
 * models topic's watcher, {@code gru.model.topic.following} (1 while it follows the topic, from its start: none
 * without a models topic) and {@code gru.model.topic.errors} (its failed reads); one switch per registry, as
 * Micrometer keeps the first gauge of a name. Thread-safe: offers are serialised.
 */
public final class ModelSwitch implements ModelStatus {
    private static final Logger LOG = LoggerFactory.getLogger(ModelSwitch.class);
    /** The largest input {@code input.max.abs.normalized} allows, whose validator takes the same constant. */
    private static final float LARGEST_INPUT = (float) ForecastRules.DEFAULT_MAX_ABS_NORMALIZED;

    /** What became of an offered model. */
    public enum Outcome {
        /** It serves from the next batch on. */
        APPLIED,
        /** It is the model already serving (same name and version). */
        UNCHANGED,
        /** It failed a check; the serving model stays. */
        REJECTED,
        /**
         * This instance could not load it for a reason of its own (its temporary directory full or read-only), which
         * may pass: the serving model stays, and the offer is to be made again.
         */
        DEFERRED
    }

    private final Logger log;
    private final ActiveModel active;
    private final Backend backend;
    private final Clock clock;
    private final Counter applied;
    private final Counter rejected;
    private final Counter deferred;
    private final MultiGauge info;
    private final MeterRegistry meters;
    private final Counter topicErrors;
    private final AtomicInteger followingTopic = new AtomicInteger();
    /** Where a model zip's temporary copy is written: null for {@code java.io.tmpdir}, another only in tests. */
    private volatile Path copies;
    /** The source of the last offer that could not be loaded, counted and logged once; guarded by this. */
    private String lastDeferred;
    private String source;
    private Instant activeSince;
    private long swaps;
    private Rejection lastRejection;
    private TopicReadFailure lastTopicReadFailure;
    private boolean replaying;
    /**
     * What {@link #snapshot()} reports, published whenever it changes, under this switch's lock: an offer holds the
     * lock while it loads and tries a model, and a status request must not wait for that.
     */
    private volatile Snapshot published;

    public ModelSwitch(ActiveModel active, String source, Backend backend, MeterRegistry meters, Clock clock) {
        this(active, source, backend, meters, clock, LOG);
    }

    private ModelSwitch(ActiveModel active, String source, Backend backend, MeterRegistry meters, Clock clock,
            Logger log) {
        this.log = log;
        this.active = active;
        this.source = source;
        this.backend = backend;
        this.clock = clock;
        this.activeSince = clock.instant();
        this.applied = Counter.builder("gru.model.swaps").description("Models offered for hot swapping, by outcome")
                .tag("outcome", "applied").register(meters);
        this.rejected = Counter.builder("gru.model.swaps").description("Models offered for hot swapping, by outcome")
                .tag("outcome", "rejected").register(meters);
        this.deferred = Counter.builder("gru.model.swaps").description("Models offered for hot swapping, by outcome")
                .tag("outcome", "deferred").register(meters);
        this.meters = meters;
        this.info = MultiGauge.builder("gru.model.info").description("The serving model: 1, tagged with its name and"
                + " version").register(meters);
        this.topicErrors = Counter.builder("gru.model.topic.errors").description("Failed reads of the models topic;"
                + " each is retried at the next poll").register(meters);
        describe(active.current().spec());
        publish();
    }

    /** Publishes the switch's state for {@link #snapshot()}; called with this switch's lock held. */
    private void publish() {
        published = new Snapshot(active.current(), source, activeSince, swaps, Optional.ofNullable(lastRejection),
                false, Optional.ofNullable(lastTopicReadFailure));
    }

    /**
     * A switch that logs nothing and keeps its meters to itself, starting with {@code model}: for a tool that replays
     * what an instance would read ({@code model publish}), without its log reading like an instance's.
     */
    public static ModelSwitch unlogged(GruModel model, String source, Backend backend) {
        return new ModelSwitch(new ActiveModel(model), source, backend, new SimpleMeterRegistry(), Clock.systemUTC(),
                NOPLogger.NOP_LOGGER);
    }

    /**
     * Called by the models topic's watcher around its replay of the topic as the instance starts: offers meanwhile
     * are decided as any other but not counted as swaps.
     */
    synchronized void replaying(boolean replaying) {
        this.replaying = replaying;
    }

    /** Writes the temporary copies of offered zips in {@code directory}, for tests; null for java.io.tmpdir. */
    void copyZipsTo(Path directory) {
        this.copies = directory;
    }

    /**
     * Called by the models topic's watcher as it starts and stops following the topic. The gauge is registered at the
     * start: an instance without a models topic has none, so that an alert on 0 sees only a watcher that stopped.
     */
    void following(boolean following) {
        if (following) {
            Gauge.builder("gru.model.topic.following", followingTopic, AtomicInteger::get).description("1 while this"
                    + " instance follows the models topic, 0 once it stopped").register(meters);
        }
        followingTopic.set(following ? 1 : 0);
    }

    /**
     * Called by the models topic's watcher when a read of the topic failed, with the error; it tries again at its
     * next poll.
     */
    void topicReadFailed(String reason) {
        topicErrors.increment();
        synchronized (this) {
            lastTopicReadFailure = new TopicReadFailure(reason, clock.instant());
            publish();
        }
    }

    private void describe(ModelSpec spec) {
        info.register(List.of(MultiGauge.Row.of(Tags.of("name", spec.name(), "version", spec.version()), 1)), true);
    }

    /**
     * Offers the model in {@code zip} (the bytes of a model zip), read from {@code source}.
     *
     * @param expectedName the name the model must carry (the record key it was published under), or null
     */
    public synchronized Outcome offer(byte[] zip, String expectedName, String source) {
        GruModel candidate;
        try {
            candidate = ModelSource.fromZip(zip, copies);
        } catch (ModelSource.TemporaryCopyException e) {
            // Not the model's fault, and perhaps not for long: refusing it for good would leave this instance on
            // the old model while the others serve the new one.
            if (source.equals(lastDeferred)) {
                log.debug("Model {} from {} still cannot be loaded on this instance: {}", expectedName, source,
                        e.getMessage());
                return Outcome.DEFERRED;
            }
            if (!replaying) {
                // Remembered only outside the replay, which counts nothing: the first retry after it counts this one.
                lastDeferred = source;
                deferred.increment();
            }
            log.warn("Model {} from {} could not be loaded on this instance, which keeps serving {}; it will be"
                    + " offered again: {}", expectedName, source, label(active.current().spec()), e.getMessage());
            return Outcome.DEFERRED;
        } catch (IOException | RuntimeException e) {
            lastDeferred = null;
            return reject(source, expectedName, "it is not a valid gru-stream model: " + e.getMessage());
        }
        lastDeferred = null;
        if (expectedName != null && !expectedName.equals(candidate.spec().name())) {
            return reject(source, label(candidate.spec()), "it was published under the name '" + expectedName
                    + "' but its model.json names it '" + candidate.spec().name() + "'");
        }
        return offer(candidate, source);
    }

    /**
     * Whether a model of {@code spec}'s name and version is the one serving: {@link #offer} leaves it as it is, and
     * only a new version replaces it.
     */
    public synchronized boolean serves(ModelSpec spec) {
        ModelSpec serving = active.current().spec();
        return serving.name().equals(spec.name()) && serving.version().equals(spec.version());
    }

    /** Offers {@code candidate}, read from {@code source}. */
    public synchronized Outcome offer(GruModel candidate, String source) {
        ModelSpec next = candidate.spec();
        if (serves(next)) {
            String serving = ModelWriter.fingerprint(active.current());
            String offered = ModelWriter.fingerprint(candidate);
            if (!serving.equals(offered)) {
                return reject(source, label(next), "it has the serving model's name and version but other contents"
                        + " (fingerprint " + offered + ", serving " + serving + "); a changed model needs a new"
                        + " version, or instances started later would serve it under the same version as this one");
            }
            log.info("Model {} from {} is the one already serving; nothing to switch", label(next), source);
            return Outcome.UNCHANGED;
        }
        Optional<String> problem = refusal(candidate);
        if (problem.isPresent()) {
            return reject(source, label(next), problem.get());
        }
        ModelSpec replaced = active.current().spec();
        active.swap(candidate);
        describe(next);
        this.source = source;
        this.activeSince = clock.instant();
        if (!replaying) {
            swaps++;
            applied.increment();
        }
        publish();
        log.info("Model switched from {} to {} ({}); each key restarts its state at its next event (MODEL_CHANGE)",
                label(replaced), label(next), source);
        return Outcome.APPLIED;
    }

    /**
     * Why {@link #offer} would refuse {@code candidate} in place of the serving model (other features or targets, or
     * a step that fails or is not finite on this switch's backend), or empty if it passes those checks. A candidate
     * of the serving model's name and version passes them as any other, though {@link #offer} leaves it unswitched.
     */
    public synchronized Optional<String> refusal(GruModel candidate) {
        return incompatibility(active.current().spec(), candidate.spec()).or(() -> trialStep(candidate, backend));
    }

    private static Optional<String> incompatibility(ModelSpec serving, ModelSpec next) {
        if (!new HashSet<>(serving.features()).equals(new HashSet<>(next.features()))) {
            return Optional.of("its features " + next.features() + " differ from the serving model's "
                    + serving.features() + "; a model over other features needs its own deployment");
        }
        if (!new HashSet<>(serving.targets()).equals(new HashSet<>(next.targets()))) {
            return Optional.of("its targets " + next.targets() + " differ from the serving model's "
                    + serving.targets() + "; a model with other targets needs its own deployment");
        }
        return Optional.empty();
    }

    /**
     * Runs one key through a few steps on {@code backend}, from the zero state: a zero input, then every input at
     * 1, at -1, at 8 and at -8 (standardised values), 8 and -8 alternating from one input to the next, and the same at
     * 1e6 (the largest {@code input.max.abs.normalized} allows, its default); a problem if it fails (a backend whose
     * native code cannot load here) or gives a non-finite forecast. Finite weights can still overflow on inputs these
     * steps miss (two sums of opposite sign near the float limit make NaN), and a NaN hidden state would be stored for
     * every key the model serves: so a model whose weights could take any unit's sum near the float limit is a
     * problem too ({@link GruModel#overflowRisk}). A model whose gates saturate, as a GRU's do, keeps its hidden state
     * in [-1, 1] whatever the input, so neither check refuses a model that works.
     */
    public static Optional<String> trialStep(GruModel candidate, Backend backend) {
        ModelSpec spec = candidate.spec();
        float[] forecasts = new float[spec.forecastSize()];
        int n = spec.inputCount();
        float[][] probes = {new float[n], filled(n, 1), filled(n, -1), filled(n, 8), filled(n, -8),
            alternating(n, 8), filled(n, LARGEST_INPUT), filled(n, -LARGEST_INPUT),
            alternating(n, LARGEST_INPUT)};
        String[] names = {"a zero input from the zero state", "inputs of 1", "inputs of -1", "inputs of 8",
            "inputs of -8", "inputs of 8 and -8 in turn", "inputs of 1e6", "inputs of -1e6",
            "inputs of 1e6 and -1e6 in turn"};
        try (GruStepper stepper = candidate.newStepper(backend)) {
            float[] state = candidate.newState();
            for (int probe = 0; probe < probes.length; probe++) {
                stepper.step(1, probes[probe], state, forecasts);
                for (float value : forecasts) {
                    if (!Float.isFinite(value)) {
                        return Optional.of("its forecast after " + names[probe] + " is " + value
                                + ", not a finite number");
                    }
                }
            }
        } catch (RuntimeException | LinkageError e) {
            return Optional.of("it cannot run on the " + backend.name().toLowerCase(Locale.ROOT) + " backend: " + e
                    + (backend == Backend.ND4J ? "; model.backend=java needs no native code" : ""));
        }
        return candidate.overflowRisk();
    }

    private static float[] filled(int length, float value) {
        float[] values = new float[length];
        Arrays.fill(values, value);
        return values;
    }

    private static float[] alternating(int length, float magnitude) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = i % 2 == 0 ? magnitude : -magnitude;
        }
        return values;
    }

    private Outcome reject(String source, String model, String reason) {
        lastRejection = new Rejection(source, model, reason, clock.instant(), replaying);
        publish();
        if (!replaying) {
            rejected.increment();
        }
        log.error("Model {} from {} rejected{}: {}. Still serving {}", model == null ? "(unreadable)" : model, source,
                replaying ? " as the instance replays the models topic at its start (published before it)" : "",
                reason, label(active.current().spec()));
        return Outcome.REJECTED;
    }

    private static String label(ModelSpec spec) {
        return spec.name() + "/" + spec.version();
    }

    @Override
    public GruModel active() {
        return active.current();
    }

    /** The state last published, without waiting for an offer in progress. */
    @Override
    public Snapshot snapshot() {
        Snapshot state = published;
        return new Snapshot(state.active(), state.source(), state.activeSince(), state.swaps(),
                state.lastRejection(), followingTopic.get() == 1, state.lastTopicReadFailure());
    }
}
