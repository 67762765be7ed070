package dev.grustream.topology;

import dev.grustream.avro.PendingObservation;
import dev.grustream.avro.SourceHeader;
import dev.grustream.avro.StateReset;
import dev.grustream.forecast.Event;
import dev.grustream.forecast.Forecaster;
import dev.grustream.forecast.KeyState;
import dev.grustream.forecast.Outcome;
import dev.grustream.forecast.Refusal;
import dev.grustream.input.InboundObservation;
import dev.grustream.input.RecordKeyDeserializer;
import dev.grustream.model.GruModel;
import dev.grustream.model.Normalization;
import dev.grustream.scoring.AlertLevel;
import dev.grustream.topology.internals.DecodedStates;
import dev.grustream.topology.internals.PendingBuffer;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.errors.ProcessorStateException;
import org.apache.kafka.streams.errors.TaskCorruptedException;
import org.apache.kafka.streams.errors.TaskMigratedException;
import org.apache.kafka.streams.processor.Cancellable;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.processor.api.RecordMetadata;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * The forecasting processor: keeps one GRU state per key, advances it with every accepted observation, and forwards
 * a forecast per observation, an alert when one is due, and a dead letter for every rejected record.
 *
 * <p>{@link #process} rejects what can be judged from the record alone (key, value, size, time) and buffers the
 * rest in a crash-safe {@link PendingBuffer}; the buffer is advanced as one batch when it is full or when
 * {@code batch.linger.ms} of wall-clock time has passed, through the forecasting core ({@link Forecaster}), and
 * stores the states it returns. The states of recently seen keys stay decoded between batches
 * ({@link DecodedStates}, {@code state.cache.max.bytes}, shared by the instance's tasks); the store remains what a
 * restart or another instance reads.
 * {@link OutputRecords} turns the core's outcomes into records. With {@code batch.max.size = 1} every
 * observation is advanced at once, with no buffer. A stream-time punctuation evicts keys idle for longer than
 * {@code state.ttl.ms}, a bounded number per scan.
 *
 * <p>Lifecycle: one instance per task, created by Kafka Streams; it fetches its stores in {@link #init} and never
 * closes them. Its decoded states start empty in {@link #init} and are dropped in {@link #close}: Kafka Streams
 * closes and re-initialises a task's processors when it rolls the task's stores back (an aborted transaction).
 * Not thread-safe, as Kafka Streams requires.
 */
final class ForecastProcessor implements Processor<String, InboundObservation, Object, Object> {
    private static final Logger LOG = LoggerFactory.getLogger(ForecastProcessor.class);
    /** The key of the observation that tells a failure of the core from one of a record; never stored. */
    private static final String CANARY_KEY = "gru-stream: a new key";
    /** {@link GruStreamTopology#FAIL_KEY_FAULT}'s value that fails every key, the core's failure. */
    private static final String EVERY_KEY = "*";
    /** The kind of log line about a batch that failed and is advanced one observation at a time. */
    private static final String BATCH_RETRIED = "failed batches";
    static final int MAX_FAILING_KEYS = 1_000;

    private final ForecasterSettings settings;
    private final ActiveModel activeModel;
    private final ForecasterMetrics metrics;
    /** The watched keys this task has forecast, whose gauges it empties when it closes. */
    private final Set<String> watchedHere = new HashSet<>();
    private final Clock clock;
    private final UpFrontChecks upFrontChecks;
    private final DecodedStates sharedDecoded;
    /**
     * Keys whose observation failed in the core on its own, oldest first: their next observations are advanced apart
     * from the batch, so that a key the core cannot handle (its state, say) costs a model call of its own per
     * observation, not a failed batch and a call for each of the batch's observations every time. A key leaves once
     * one of its observations succeeds; at most {@link #MAX_FAILING_KEYS}, the oldest forgotten first.
     */
    private final Set<String> failingKeys = new LinkedHashSet<>();
    /** The task's lines about records that failed the core: ten a minute of each kind at their level, then DEBUG. */
    private final LogThrottle logged = LogThrottle.tenAMinute();

    private ProcessorContext<Object, Object> context;
    private KeyValueStore<String, KeyState> states;
    private DecodedStates.Part decoded;
    private PendingBuffer pending;
    /**
     * The linger timer, else null: started by an observation buffered while it is not running, it flushes the buffer
     * once and stops. A punctuation that ran marks its task for a commit, under exactly-once a transaction, which a
     * timer ticking over an empty buffer would make every commit interval for as long as the input is quiet. A flush
     * of a full buffer leaves it running: Kafka Streams drops a cancelled timer from its queue only when it is due,
     * and a timer cancelled at every full batch would pile up there under a long linger.
     */
    private Cancellable linger;
    /** Without batching, until processed: what a run with batching left buffered; else null. */
    private PendingBuffer leftovers;
    private Cancellable leftoversPunctuation;
    /** The buffer whose unreadable slots are yet to be dead-lettered, while {@link #unreadablePunctuation} is set. */
    private PendingBuffer unreadableIn;
    private Cancellable unreadablePunctuation;
    /**
     * Every punctuation {@link #init} scheduled, cancelled at {@link #close} as the linger timer is: Kafka Streams
     * keeps a task's schedules when it closes and revives the task or resumes it, and a second {@code init} would add
     * its own to them.
     */
    private final List<Cancellable> punctuations = new ArrayList<>();
    private Forecaster forecaster;
    private String evictionCursor;
    private boolean warnedOfRecordsWithoutKeys;

    ForecastProcessor(ForecasterSettings settings, ActiveModel activeModel, ForecasterMetrics metrics, Clock clock,
            DecodedStates sharedDecoded) {
        this.settings = settings;
        this.sharedDecoded = sharedDecoded;
        this.activeModel = activeModel;
        this.metrics = metrics;
        this.clock = clock;
        this.upFrontChecks = new UpFrontChecks(settings);
    }

    @Override
    public void init(ProcessorContext<Object, Object> context) {
        this.context = context;
        this.states = context.getStateStore(GruStreamTopology.STATE_STORE);
        this.decoded = sharedDecoded.of(context.taskId());
        // Left by an earlier run of this task on this instance only if its close was skipped; its objects may be ahead
        // of the store, which Kafka Streams may have rolled back since.
        decoded.clear();
        String fault = System.getProperty(GruStreamTopology.FORGET_STATE_FAULT, "");
        if (fault.equalsIgnoreCase("true") || fault.equalsIgnoreCase("hidden")) {
            forgetEveryState(fault.equalsIgnoreCase("hidden"));
        }
        if (forecaster != null) {
            forecaster.close(); // Also left by a run whose close was skipped: its stepper may hold native memory.
        }
        this.forecaster = new Forecaster(settings.rules(), settings.backend(), settings.batchMaxSize());
        if (settings.batching()) {
            pending = new PendingBuffer(context.getStateStore(GruStreamTopology.PENDING_STORE),
                    settings.batchMaxSize());
            int recovered = pending.recover();
            unreadableIn = pending;
            if (recovered > 0) {
                LOG.info("Task {}: recovered {} buffered observations left unprocessed by the previous run",
                        context.taskId(), recovered);
            }
            if (recovered > 0) {
                startLinger();
            }
        } else {
            leftovers = new PendingBuffer(context.getStateStore(GruStreamTopology.PENDING_STORE), 1);
            int recovered = leftovers.recover();
            unreadableIn = leftovers;
            if (recovered > 0) {
                LOG.info("Task {}: {} observations left buffered by a run with batching are processed first",
                        context.taskId(), recovered);
                leftoversPunctuation = context.schedule(Duration.ofMillis(1), PunctuationType.WALL_CLOCK_TIME,
                        now -> processLeftovers());
                punctuations.add(leftoversPunctuation);
            } else {
                leftovers = null;
            }
        }
        if (!unreadableIn.unreadable().isEmpty()) {
            LOG.error("Task {}: {} buffered observations cannot be read by this release and go to the dead letters"
                    + " as {} ({})", context.taskId(), unreadableIn.unreadable().size(),
                    DeadLetterReason.INTERNAL_ERROR.code(), unreadableIn.unreadable().get(0).reason());
            unreadablePunctuation = context.schedule(Duration.ofMillis(1), PunctuationType.WALL_CLOCK_TIME,
                    now -> deadLetterUnreadable());
            punctuations.add(unreadablePunctuation);
        }
        if (settings.rules().stateTtlMs() > 0) {
            punctuations.add(context.schedule(Duration.ofMillis(settings.ttlScanIntervalMs()),
                    PunctuationType.STREAM_TIME, this::evictIdleKeys));
        }
    }

    @Override
    public void process(Record<String, InboundObservation> record) {
        deadLetterUnreadable();
        metrics.received();
        RecordMetadata source = context.recordMetadata().orElseThrow();
        if (settings.repartition()) {
            // Read again from the repartition topic, keyed by series there, which Kafka Streams' default extractor
            // times (with the time the first read gave the record): the input's own key, coordinates and timestamp
            // came in headers, so that the record is judged and dead-lettered as it came.
            InputOrigin origin = InputOrigin.of(source.topic(), source.partition(), source.offset(),
                    record.timestamp(), keyBytes(record.key()), record.headers());
            record = record.withKey(origin.key() == null ? null : new String(origin.key(), StandardCharsets.ISO_8859_1))
                    .withHeaders(origin.headers());
            if (record.value() != null) {
                record.value().useRecordTimestamp(origin.timestamp());
            }
            source = origin;
        }
        if (rejectedUpFront(record, source)) {
            return;
        }
        if (record.key() == null && !settings.repartition() && !warnedOfRecordsWithoutKeys) {
            // Accepted, as the value names the series (input.key.fields); but Kafka's producers spread records
            // without a key over the partitions, and nothing downstream could tell a series split so.
            warnedOfRecordsWithoutKeys = true;
            LOG.warn("Task {}: records without a key are read from {}: their series is named by input.key.fields, but"
                    + " a producer spreads records without a key over the topic's partitions, and a series read from"
                    + " two of them keeps a state on each, with forecasts of its own; key the records by their series"
                    + " (or by a field that determines it), or set input.repartition=true, unless the topic has one"
                    + " partition", context.taskId(), source.topic());
        }
        String series = seriesKey(record);
        PendingObservation.Builder event = PendingObservation.newBuilder()
                .setSequence(0)
                .setKey(series)
                .setEventTime(Instant.ofEpochMilli(record.value().eventTime()))
                .setFeatures(record.value().features())
                .setRawValue(ByteBuffer.wrap(record.value().rawValue()))
                .setRecordTimestamp(record.value().recordTimestamp(record.timestamp()))
                .setSourceTopic(source.topic())
                .setSourcePartition(source.partition())
                .setSourceOffset(source.offset())
                .setStreamTime(context.currentStreamTimeMs())
                .setHeaders(sourceHeaders(record.headers()))
                .setRecordKey(ownKey(record.key(), series));
        if (pending == null) {
            processLeftovers();
            advance(List.of(event.build()));
            return;
        }
        if (pending.isFull()) {
            flush();
        }
        try {
            pending.add(event);
        } catch (RuntimeException e) {
            throw notTheRecordsFault(e, "buffering an observation"); // A write to the buffer's store: see writeBuffer
        }
        if (pending.isFull()) {
            flush();
        } else {
            startLinger();
        }
    }

    private void startLinger() {
        if (linger == null) {
            linger = context.schedule(Duration.ofMillis(settings.batchLingerMs()), PunctuationType.WALL_CLOCK_TIME,
                    now -> {
                        flush();
                        stopLinger();
                    });
        }
    }

    private void stopLinger() {
        if (linger != null) {
            linger.cancel();
            linger = null;
        }
    }

    /** A record's headers as the buffer keeps them, so that a later dead letter carries them. */
    private static List<SourceHeader> sourceHeaders(Headers headers) {
        List<SourceHeader> kept = new ArrayList<>();
        for (Header header : headers) {
            kept.add(new SourceHeader(header.key(), header.value() == null ? null : ByteBuffer.wrap(header.value())));
        }
        return kept;
    }

    /**
     * The bytes of a record's own key where it is not its series id (input.key.fields), for its dead letter should the
     * core refuse it; null where the key is the series id, or where it has none.
     */
    private ByteBuffer ownKey(String recordKey, String series) {
        if (!settings.seriesInValue() || recordKey == null) {
            return null;
        }
        byte[] bytes = RecordKeyDeserializer.opaqueBytes(recordKey);
        return recordKey.equals(series) && Arrays.equals(bytes, series.getBytes(StandardCharsets.UTF_8)) ? null
                : ByteBuffer.wrap(bytes);
    }

    /** The series of a record: the one its value names (input.key.fields), else its key. */
    private static String seriesKey(Record<String, InboundObservation> record) {
        return record.value() != null && record.value().seriesKey() != null ? record.value().seriesKey()
                : record.key();
    }

    /** Dead-letters a record that can be judged without its key's state or the model; true if it did. */
    private boolean rejectedUpFront(Record<String, InboundObservation> record, RecordMetadata source) {
        UpFrontChecks.Rejection rejection = upFrontChecks.check(seriesKey(record), record.key(), record.headers(),
                record.value(), clock.millis());
        return rejection != null && reject(record, source, rejection.reason(), rejection.message());
    }

    /** The bytes a record key was read from: one character per byte where the value names the series. */
    private byte[] keyBytes(String key) {
        return key == null ? null : settings.seriesInValue() ? RecordKeyDeserializer.opaqueBytes(key)
                : key.getBytes(StandardCharsets.UTF_8);
    }

    private boolean reject(Record<String, InboundObservation> record, RecordMetadata source, DeadLetterReason reason,
            String message) {
        byte[] value = record.value() == null ? null : record.value().rawValue();
        // The input's own timestamp, not the event time the extractor gave the record: a dead letter of an old event
        // stamped with its event time could fall to the dead-letter topic's retention as soon as it is written. A
        // record without a value carries it nowhere Kafka Streams passes on, and gets the wall clock's time, not the
        // partition's, which may be days old.
        long timestamp = record.value() == null ? clock.millis()
                : record.value().recordTimestamp(record.timestamp());
        forwardDeadLetter(keyBytes(record.key()), value, timestamp, record.headers(), reason, message, source.topic(),
                source.partition(), source.offset());
        return true;
    }

    private void forwardDeadLetter(byte[] key, byte[] value, long timestamp, Headers original,
            DeadLetterReason reason, String message, String topic, int partition, long offset) {
        metrics.deadLetter(reason);
        LOG.debug("Task {}: dead-lettering {}-{}@{} ({}): {}", context.taskId(), topic, partition, offset,
                reason.code(), message);
        Headers headers = DeadLetters.headers(original, reason, message, topic, partition, offset);
        DeadLetters.Fitted fitted = DeadLetters.fitted(key, value, settings.deadLetterMaxValueBytes(), headers);
        try {
            context.forward(new Record<Object, Object>(fitted.key(), fitted.value(), outputTime(timestamp),
                    fitted.headers()), GruStreamTopology.DEAD_LETTERS_SINK);
        } catch (RuntimeException e) {
            // A dead letter's bytes need no serializer, so what fails here is the producer: most often an earlier
            // output's send that failed and surfaces at this one.
            throw notTheRecordsFault(e, "writing a dead letter for " + topic + "-" + partition + "@" + offset);
        }
    }

    /**
     * What to throw for a failure that no record at hand is to blame for (an earlier output's send surfacing, a store
     * that cannot be written): Kafka Streams' own task signals and batch failures as they are, else a
     * {@link BatchFailedException} saying what failed. The task then retries from its last commit, instead of the
     * record at hand being dead-lettered and the commit passing an output that was lost.
     */
    private RuntimeException notTheRecordsFault(RuntimeException e, String what) {
        return e instanceof BatchFailedException || isTaskSignal(e) ? e
                : new BatchFailedException("Task " + context.taskId() + ": " + what + " failed", e);
    }

    /**
     * Whether {@code e} is how Kafka Streams tells a task that it moved to another instance (its producer was fenced)
     * or that its state is corrupt: Kafka Streams handles both itself, by closing the task and rejoining the group,
     * if they reach it as they were thrown.
     */
    private static boolean isTaskSignal(RuntimeException e) {
        return e instanceof TaskMigratedException || e instanceof TaskCorruptedException;
    }

    /**
     * The timestamp of a record this processor writes: {@code time}, but never ahead of the wall clock. Brokers refuse
     * a record stamped more than {@code log.message.timestamp.after.max.ms} (one hour by default since Kafka 4.0) ahead
     * of theirs, and a refused output fails the task again at every retry: an observation accepted up to
     * {@code future.tolerance.ms} (a day) ahead, or the dead letter of one beyond it, would stop the instance.
     */
    private long outputTime(long time) {
        return Math.min(time, clock.millis());
    }

    /** Without batching: the observations a run with batching left in the buffer, one by one, once. */
    private void processLeftovers() {
        if (leftovers == null) {
            return;
        }
        leftovers.events().forEach(one -> advance(List.of(one)));
        writeBuffer(leftovers::markProcessed, "marking the buffer's leftovers processed");
        leftovers = null;
        leftoversPunctuation.cancel();
    }

    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        advance(pending.events());
        writeBuffer(pending::markProcessed, "marking a batch processed");
    }

    /**
     * Runs a write to the batch buffer's store. A write may flush the store's cache to its changelog, where an earlier
     * output's failed send surfaces: {@link #notTheRecordsFault}.
     */
    private void writeBuffer(Runnable write, String what) {
        try {
            write.run();
        } catch (RuntimeException e) {
            throw notTheRecordsFault(e, what);
        }
    }

    /**
     * Advances a batch through the core, then forwards its outcomes and stores its states: nothing leaves the batch
     * unless all of it succeeded. When the core fails on a batch, its observations are advanced again one by one, and
     * one that fails on its own is dead-lettered as {@code internal-error} with the exception: one record the code
     * cannot handle never stops the stream. A failure of the state store, or of the core on a new key's observation
     * as well, fails the task instead, for a retry. The observations of a key that failed on its own are advanced
     * apart from the batch until one of them succeeds.
     */
    private void advance(List<PendingObservation> batch) {
        GruModel model = activeModel.current();
        if (failingKeys.isEmpty() || batch.size() == 1) {
            advance(batch, model);
            return;
        }
        List<PendingObservation> together = new ArrayList<>(batch.size());
        List<PendingObservation> apart = new ArrayList<>();
        for (PendingObservation observation : batch) {
            (failingKeys.contains(observation.getKey()) ? apart : together).add(observation);
        }
        if (!together.isEmpty()) {
            advance(together, model);
        }
        apart.forEach(one -> advance(List.of(one), model));
    }

    /** {@link #advance(List)} with {@code model}, which the one-by-one retries of a failed batch keep. */
    private void advance(List<PendingObservation> batch, GruModel model) {
        Forwarder forwarder = new Forwarder(batch);
        Map<String, KeyState> touched;
        try {
            touched = forecaster.advance(events(batch), model, this::storedState, forwarder);
        } catch (RuntimeException e) {
            // The core changes states in place: the decoded ones it was given may now hold part of this batch (of
            // one key's alone when it held one observation).
            if (batch.size() == 1) {
                decoded.remove(batch.get(0).getKey());
            } else {
                decoded.clear();
            }
            if (e instanceof BatchFailedException || isTaskSignal(e)
                    || DeadLetters.causedBy(e, ProcessorStateException.class)) {
                // The state store's, not the record's: a failed send surfacing at a state read (storedState), Kafka
                // Streams' own signal as thrown (a cached store's flush meeting a fenced producer), or a store that
                // cannot be read.
                throw notTheRecordsFault(e, "advancing a batch of " + batch.size() + " observations on the state"
                        + " store");
            }
            if (batch.size() == 1) {
                if (coreFailsOnAFreshKey(batch.get(0), model)) {
                    throw new BatchFailedException("Task " + context.taskId() + ": the forecasting core fails on"
                            + " an observation of a new key as well, so no record is at fault; the task is retried"
                            + " from its last commit", e);
                }
                LogThrottle.Told told = logged.tell(DeadLetterReason.INTERNAL_ERROR.code(), Level.ERROR);
                LOG.atLevel(told.level()).setCause(e).log("Task {}: dead-lettering an observation of key {} after an"
                        + " unexpected error{}", context.taskId(), batch.get(0).getKey(), told.heldBack());
                failing(batch.get(0).getKey());
                forwardDeadLetter(batch.get(0), DeadLetterReason.INTERNAL_ERROR,
                        e.getClass().getName() + ": " + e.getMessage());
                return;
            }
            LogThrottle.Told told = logged.tell(BATCH_RETRIED, Level.WARN);
            LOG.atLevel(told.level()).log("Task {}: a batch of {} observations failed ({}); advancing them one by"
                    + " one{}", context.taskId(), batch.size(), e.toString(), told.heldBack());
            batch.forEach(one -> advance(List.of(one), model));
            return;
        }
        try {
            forwarder.forwardAll();
            List<KeyValue<String, KeyState>> updates = new ArrayList<>(touched.size());
            touched.forEach((key, state) -> updates.add(KeyValue.pair(key, state)));
            states.putAll(updates);
        } catch (RuntimeException e) {
            decoded.clear();
            // Part of the batch's outcomes may be out and no state stored: no single record is at fault (an output
            // the registry refuses, a store that cannot be written), so the task fails and the batch is retried
            // from the last commit, rather than the record at hand being dead-lettered and the batch sent again.
            throw notTheRecordsFault(e, "writing the outcomes of a batch of " + batch.size() + " observations");
        }
        decoded.putAll(touched);
        if (!failingKeys.isEmpty()) {
            failingKeys.removeAll(touched.keySet());
        }
    }

    private void failing(String key) {
        failingKeys.remove(key);
        if (failingKeys.size() == MAX_FAILING_KEYS) {
            Iterator<String> oldest = failingKeys.iterator();
            oldest.next();
            oldest.remove();
        }
        failingKeys.add(key);
    }

    /** A key's state as the store holds it: decoded from an earlier batch if still cached, else read and decoded. */
    private KeyState storedState(String key) {
        KeyState state = decoded.get(key);
        if (state != null) {
            metrics.stateDecoded();
            return state;
        }
        KeyState stored;
        try {
            stored = states.get(key);
        } catch (RuntimeException e) {
            // A read of a cached store may evict and flush other keys' states to the changelog, where an earlier
            // output's failed send surfaces (once: Kafka Streams then forgets it). Not the core's failure, nor the
            // record's: blaming either would let the commit pass the lost output.
            throw notTheRecordsFault(e, "reading the state of key " + key);
        }
        metrics.stateLookedUp(stored != null);
        return stored;
    }

    /**
     * Whether the core also fails on an observation of a key it has never seen, now, every feature at a value the
     * model normalises to 0: then the failure is the core's (a backend that cannot allocate, a model that cannot step
     * here), not the record's, and dead-lettering would throw away every record the task reads. Nothing of the record
     * goes in, its time neither, so a fault of its own is not taken for the core's. Stores and forwards nothing.
     */
    private boolean coreFailsOnAFreshKey(PendingObservation failed, GruModel model) {
        // Not 0 under a fixed normalisation: a feature of mean 500 and scale 10 would be refused as out of range
        // before the core stepped, and the core taken to work. A new key's first value normalises to 0 per key.
        Normalization normalization = model.spec().normalization();
        Map<String, Double> centred = new HashMap<>();
        List<String> features = model.spec().features();
        for (int f = 0; f < features.size(); f++) {
            centred.put(features.get(f), normalization.isPerKey() ? 0.0 : normalization.mean(f));
        }
        Event canary = new Event(CANARY_KEY, clock.millis(), centred, failed.getStreamTime());
        try {
            forecaster.advance(List.of(canary), model, key -> null, new Forecaster.Outcomes() {
                @Override
                public void accepted(int index, Outcome outcome) {
                    injectFault(outcome.key(), System.getProperty(GruStreamTopology.FAIL_KEY_FAULT));
                }

                @Override
                public void refused(int index, Refusal refusal, String message) {
                }
            });
            return false;
        } catch (RuntimeException e) {
            LOG.error("Task {}: the forecasting core fails on a new key's observation too", context.taskId(), e);
            return true;
        }
    }

    /** Fails as a bug would where {@code failingKey} (the fault injection property) is {@code key} or "*". */
    private static void injectFault(String key, String failingKey) {
        if (key.equals(failingKey) || EVERY_KEY.equals(failingKey)) {
            throw new IllegalStateException("fault injection (" + GruStreamTopology.FAIL_KEY_FAULT + "): key " + key
                    + ", after the keys before it in the batch were advanced");
        }
    }

    private static List<Event> events(List<PendingObservation> batch) {
        List<Event> events = new ArrayList<>(batch.size());
        for (PendingObservation pendingEvent : batch) {
            events.add(new Event(pendingEvent.getKey(), pendingEvent.getEventTime().toEpochMilli(),
                    pendingEvent.getFeatures(), pendingEvent.getStreamTime()));
        }
        return events;
    }

    private void forwardDeadLetter(PendingObservation observation, DeadLetterReason reason, String message) {
        Headers original = new RecordHeaders();
        for (SourceHeader header : observation.getHeaders()) {
            original.add(header.getKey(), header.getValue() == null ? null : bytes(header.getValue()));
        }
        byte[] key = observation.getRecordKey() == null ? observation.getKey().getBytes(StandardCharsets.UTF_8)
                : bytes(observation.getRecordKey());
        forwardDeadLetter(key, bytes(observation.getRawValue()),
                observation.getRecordTimestamp(), original, reason, message, observation.getSourceTopic(),
                observation.getSourcePartition(), observation.getSourceOffset());
    }

    /**
     * Dead-letters the bytes of the buffer's slots this release could not read, then deletes them: a rollback across a
     * change of the buffer's format, or damage, would otherwise fail the task at every start. Runs at the first record
     * or wall-clock punctuation, whichever comes first (nothing can be forwarded from {@code init}), before anything
     * is added to the buffer, so that the dead letters and the deletions are committed together.
     */
    private void deadLetterUnreadable() {
        if (unreadablePunctuation == null) {
            return;
        }
        for (PendingBuffer.UnreadableSlot slot : unreadableIn.unreadable()) {
            forwardDeadLetter(null, slot.bytes(), clock.millis(), null, DeadLetterReason.INTERNAL_ERROR, "slot "
                    + slot.slot() + " of the task's batch buffer cannot be read by this release (" + slot.reason()
                    + "); the value is its stored bytes, an observation not yet processed (releases before 2026-12-07"
                    + " also kept processed ones)",
                    GruStreamTopology.PENDING_STORE, context.taskId().partition(), -1);
        }
        writeBuffer(unreadableIn::dropUnreadable, "deleting the buffer's unreadable slots");
        unreadablePunctuation.cancel();
        unreadablePunctuation = null;
    }

    private static byte[] bytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.duplicate().get(bytes);
        return bytes;
    }

    /**
     * Collects the core's outcomes for one batch as forecast, alert and dead-letter records, in order, and forwards
     * them once the batch has succeeded.
     */
    private final class Forwarder implements Forecaster.Outcomes {
        private final List<PendingObservation> batch;
        private final List<Runnable> forwards = new ArrayList<>();
        private final String failingKey = System.getProperty(GruStreamTopology.FAIL_KEY_FAULT);

        Forwarder(List<PendingObservation> batch) {
            this.batch = batch;
        }

        void forwardAll() {
            forwards.forEach(Runnable::run);
        }

        @Override
        public void accepted(int index, Outcome outcome) {
            injectFault(outcome.key(), failingKey);
            forwards.add(() -> {
                metrics.forecast(outcome, clock.millis());
                if (metrics.watches(outcome.key())) {
                    watchedHere.add(outcome.key());
                }
                if (outcome.reset() != StateReset.NONE) {
                    metrics.reset(outcome.reset());
                }
                long time = outputTime(outcome.eventTime());
                context.forward(new Record<Object, Object>(outcome.key(), OutputRecords.forecast(outcome), time),
                        GruStreamTopology.FORECASTS_SINK);
                if (outcome.alert() != AlertLevel.NONE) {
                    metrics.alert(outcome.alert());
                    context.forward(new Record<Object, Object>(outcome.key(),
                            OutputRecords.alert(outcome, settings.rules().alerts().threshold()), time),
                            GruStreamTopology.ALERTS_SINK);
                }
            });
        }

        @Override
        public void expired(int index) {
            forwards.add(() -> metrics.evicted(1));
        }

        @Override
        public void refused(int index, Refusal refusal, String message) {
            forwards.add(() -> forwardDeadLetter(batch.get(index), DeadLetterReason.of(refusal), message));
        }

        @Override
        public void modelCall(int rows, long nanos) {
            metrics.modelCall(rows, nanos);
        }
    }

    private void forgetEveryState(boolean hiddenOnly) {
        List<KeyValue<String, KeyState>> kept = new ArrayList<>();
        try (KeyValueIterator<String, KeyState> all = states.all()) {
            all.forEachRemaining(kept::add);
        }
        for (KeyValue<String, KeyState> entry : kept) {
            if (hiddenOnly && entry.value != null) {
                Arrays.fill(entry.value.hidden(), 0f);
                states.put(entry.key, entry.value);
            } else if (!hiddenOnly) {
                states.delete(entry.key);
            }
        }
        LOG.warn("Task {}: fault injection ({}): forgot the {} of {} keys", context.taskId(),
                GruStreamTopology.FORGET_STATE_FAULT, hiddenOnly ? "hidden states" : "states", kept.size());
    }

    /**
     * Deletes keys idle for longer than the TTL, and states that cannot be read
     * ({@link dev.grustream.topology.internals.KeyStateSerde}), scanning at most {@code state.ttl.scan.max.keys} keys.
     */
    private void evictIdleKeys(long streamTime) {
        Set<String> buffered = pending != null ? pending.keys() : leftovers != null ? leftovers.keys() : Set.of();
        List<String> idle = new ArrayList<>();
        List<String> unreadable = new ArrayList<>();
        int scanned = 0;
        String last = null;
        boolean more;
        try (KeyValueIterator<String, KeyState> iterator = evictionCursor == null
                ? states.all() : states.range(evictionCursor, null)) {
            while (iterator.hasNext() && scanned < settings.ttlScanMaxKeys()) {
                KeyValue<String, KeyState> entry = iterator.next();
                if (entry.key.equals(evictionCursor)) {
                    continue;
                }
                scanned++;
                last = entry.key;
                if (buffered.contains(entry.key)) {
                    continue;
                }
                if (entry.value == null) {
                    unreadable.add(entry.key);
                } else if (settings.rules().expiresAfter(entry.value.lastActivity(), streamTime)) {
                    idle.add(entry.key);
                }
            }
            more = iterator.hasNext();
        }
        for (List<String> deleted : List.of(idle, unreadable)) {
            deleted.forEach(key -> {
                states.delete(key);
                decoded.remove(key);
            });
        }
        if (!unreadable.isEmpty()) {
            // Not evictions: each was already reported when it could not be read, and its key starts afresh.
            LOG.info("Task {}: deleted {} stored states that cannot be read", context.taskId(), unreadable.size());
        }
        evictionCursor = more ? last : null;
        if (!idle.isEmpty()) {
            metrics.evicted(idle.size());
            LOG.debug("Task {}: evicted {} keys idle since before {}", context.taskId(), idle.size(),
                    streamTime - settings.rules().stateTtlMs());
        }
    }

    @Override
    public void close() {
        punctuations.forEach(Cancellable::cancel);
        punctuations.clear();
        stopLinger();
        watchedHere.forEach(metrics::forget);
        failingKeys.clear();
        if (decoded != null) {
            decoded.clear();
        }
        if (forecaster != null) {
            forecaster.close();
        }
    }
}
