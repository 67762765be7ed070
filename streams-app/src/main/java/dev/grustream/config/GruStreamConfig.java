package dev.grustream.config;

import static dev.grustream.forecast.ForecastRules.DEFAULT_ALERT_INTERVAL_COVERAGE;
import static dev.grustream.forecast.ForecastRules.DEFAULT_ALERT_SUPPRESSION_MS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_ALERT_WARMUP_EVENTS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_CRITICAL_THRESHOLD;
import static dev.grustream.forecast.ForecastRules.DEFAULT_ERROR_HALFLIFE_EVENTS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_GUARD_HALFLIFE_EVENTS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_INTERVAL_ALERTS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_INTERVAL_COVERAGE;
import static dev.grustream.forecast.ForecastRules.DEFAULT_LATE_GRACE_MS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_LEARNER_FORGETTING_EVENTS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_LEARNING;
import static dev.grustream.forecast.ForecastRules.DEFAULT_LIKELIHOOD_HALFLIFE_EVENTS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_LIKELIHOOD_WINDOW_EVENTS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_MAX_ABS_NORMALIZED;
import static dev.grustream.forecast.ForecastRules.DEFAULT_PROFILE_BINS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_PROFILE_MID_HORIZON;
import static dev.grustream.forecast.ForecastRules.DEFAULT_PROFILE_WEEKLY;
import static dev.grustream.forecast.ForecastRules.DEFAULT_RANGE_ENABLED;
import static dev.grustream.forecast.ForecastRules.DEFAULT_RANGE_TOLERANCE;
import static dev.grustream.forecast.ForecastRules.DEFAULT_RANGE_WARMUP_EVENTS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_RANGE_WARMUP_MS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_RESET_GAP_MS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_STATE_TTL_MS;
import static dev.grustream.forecast.ForecastRules.DEFAULT_THRESHOLD;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.AbstractConfig;
import org.apache.kafka.common.config.ConfigDef.Importance;
import org.apache.kafka.common.config.ConfigDef.Range;
import org.apache.kafka.common.config.ConfigDef.Type;
import org.apache.kafka.common.config.ConfigDef.ValidString;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.common.config.ConfigException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.config.types.Password;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.streams.StreamsConfig;

/**
 * The configuration of one gru-stream instance: gru-stream's own keys, each with a default, a doc string and a
 * validator, plus every Kafka Streams, client and serde setting, which pass through untouched.
 *
 * <p>Build it from the merged sources with {@link ConfigSources}; construction validates every key and fails with a
 * {@link ConfigException} naming the key, the value and what was expected. {@link #describe()} prints the reference
 * of all keys (docs/configuration.md's table is generated from it).
 *
 * <p>Immutable and thread-safe.
 */
public final class GruStreamConfig extends AbstractConfig {
    private static final long MILLIS_PER_DAY = 86_400_000L;

    public static final String TOPIC_OBSERVATIONS = "topic.observations";
    public static final String TOPIC_FORECASTS = "topic.forecasts";
    public static final String TOPIC_ALERTS = "topic.alerts";
    public static final String TOPIC_DEAD_LETTERS = "topic.dead.letters";

    public static final String MODEL_PATH = "model.path";
    public static final String MODEL_BACKEND = "model.backend";
    public static final String MODEL_TOPIC = "model.topic";
    public static final String MODEL_NAME = "model.name";
    public static final String MODEL_TOPIC_MAX_BYTES = "model.topic.max.bytes";
    public static final String MODEL_TOPIC_CATCHUP_TIMEOUT_MS = "model.topic.catchup.timeout.ms";

    public static final String HTTP_ENABLED = "http.enabled";
    public static final String HTTP_PORT = "http.port";
    public static final String HTTP_BIND_ADDRESS = "http.bind.address";
    public static final String HTTP_ADVERTISED_HOST = "http.advertised.host";
    public static final String HTTP_FORWARD_TIMEOUT_MS = "http.forward.timeout.ms";
    public static final String HTTP_AUTH_TOKEN = "http.auth.token";

    public static final String BATCH_MAX_SIZE = "batch.max.size";
    public static final String BATCH_LINGER_MS = "batch.linger.ms";

    public static final String ANOMALY_THRESHOLD = "anomaly.threshold";
    public static final String ANOMALY_CRITICAL_THRESHOLD = "anomaly.critical.threshold";
    public static final String RESIDUAL_HALFLIFE_EVENTS = "residual.halflife.events";
    public static final String ANOMALY_LIKELIHOOD_WINDOW_EVENTS = "anomaly.likelihood.window.events";
    public static final String ANOMALY_LIKELIHOOD_HALFLIFE_EVENTS = "anomaly.likelihood.halflife.events";
    public static final String ANOMALY_RANGE_ENABLED = "anomaly.range.enabled";
    public static final String ANOMALY_RANGE_TOLERANCE = "anomaly.range.tolerance";
    public static final String ANOMALY_RANGE_WARMUP_EVENTS = "anomaly.range.warmup.events";
    public static final String ANOMALY_RANGE_WARMUP_MS = "anomaly.range.warmup.ms";
    public static final String ANOMALY_INTERVAL_ENABLED = "anomaly.interval.enabled";
    public static final String ANOMALY_INTERVAL_COVERAGE = "anomaly.interval.coverage";
    public static final String ALERT_WARMUP_EVENTS = "alert.warmup.events";

    public static final String LEARNER_ENABLED = "learner.enabled";
    public static final String LEARNER_FORGETTING_EVENTS = "learner.forgetting.events";
    public static final String LEARNER_PROFILE_BINS = "learner.profile.bins";
    public static final String LEARNER_PROFILE_MID_HORIZON = "learner.profile.midhorizon";
    public static final String LEARNER_PROFILE_WEEKLY = "learner.profile.weekly";
    public static final String LEARNER_GUARD_HALFLIFE_EVENTS = "learner.guard.halflife.events";
    public static final String FORECAST_INTERVAL_COVERAGE = "forecast.interval.coverage";
    public static final String ALERT_SUPPRESSION_MS = "alert.suppression.ms";

    public static final String LATE_GRACE_MS = "late.grace.ms";
    public static final String FUTURE_TOLERANCE_MS = "future.tolerance.ms";
    public static final String STATE_RESET_GAP_MS = "state.reset.gap.ms";
    public static final String STATE_TTL_MS = "state.ttl.ms";
    public static final String STATE_TTL_SCAN_INTERVAL_MS = "state.ttl.scan.interval.ms";
    public static final String STATE_TTL_SCAN_MAX_KEYS = "state.ttl.scan.max.keys";
    public static final String STATE_STORE_CACHING = "state.store.caching";
    public static final String STATE_CACHE_MAX_BYTES = "state.cache.max.bytes";
    public static final String STATE_ROCKSDB_MEMORY_BYTES = "state.rocksdb.memory.bytes";

    public static final String INPUT_MAX_KEY_BYTES = "input.max.key.bytes";
    public static final String INPUT_MAX_VALUE_BYTES = "input.max.value.bytes";
    public static final String INPUT_MAX_ABS_NORMALIZED = "input.max.abs.normalized";
    public static final String INPUT_FORMAT = "input.format";
    public static final String INPUT_KEY_FIELDS = "input.key.fields";
    public static final String INPUT_REPARTITION = "input.repartition";
    public static final String INPUT_TIME_FIELD = "input.time.field";
    public static final String INPUT_FEATURES = "input.features";
    public static final String INPUT_VALUE_DESERIALIZER = "input.value.deserializer";

    public static final String OUTPUT_LAYOUT = "output.layout";
    public static final String OUTPUT_FORMAT = "output.format";
    public static final String OUTPUT_VALUE_SERIALIZER = "output.value.serializer";

    public static final String METRICS_WATCHED_KEYS = "metrics.watched.keys";

    /** Kafka Streams settings whose default gru-stream changes. */
    public static final Map<String, Object> STREAMS_DEFAULTS = Map.of(
            StreamsConfig.APPLICATION_ID_CONFIG, "gru-stream",
            StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "localhost:9092",
            StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);

    private static final ConfigDef DEFINITION = new ConfigDef()
            .define(TOPIC_OBSERVATIONS, Type.STRING, "observations", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic the observations are read from. Key: the series id (string),"
                            + " unless input.key.fields names it; value: in input.format.")
            .define(TOPIC_FORECASTS, Type.STRING, "forecasts", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic a Forecast is written to for every accepted observation.")
            .define(TOPIC_ALERTS, Type.STRING, "alerts", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic an AnomalyAlert is written to when an observation is flagged after"
                            + " warm-up and outside the suppression window.")
            .define(TOPIC_DEAD_LETTERS, Type.STRING, "dead-letters", new ConfigDef.NonEmptyString(),
                    Importance.HIGH, "Topic every rejected input record is written to, unchanged, with headers"
                            + " saying why (gru.dead-letter.reason) and where it came from.")
            .define(MODEL_PATH, Type.STRING, "", Importance.HIGH,
                    "Model directory or .zip in the gru-stream model format; empty for the bundled default model.")
            .define(MODEL_BACKEND, Type.STRING, "java", ValidString.in("java", "nd4j"), Importance.MEDIUM,
                    "Implementation of the batched GRU step: 'java' (plain Java, fastest on small batches) or"
                            + " 'nd4j' (ND4J/OpenBLAS gemm). Both compute the same model.")
            .define(MODEL_TOPIC, Type.STRING, "", Importance.MEDIUM,
                    "Compacted topic that models are published to for hot swapping (gru-stream model publish);"
                            + " every instance follows it and switches to each valid model published there without a"
                            + " restart. Empty disables hot swapping.")
            .define(MODEL_NAME, Type.STRING, "", Importance.LOW,
                    "Name of the published model this instance follows on " + MODEL_TOPIC + " (the record key);"
                            + " empty follows every name, so the newest valid publication wins, and then models in"
                            + " several partitions of the topic are refused at start.")
            .define(MODEL_TOPIC_MAX_BYTES, Type.INT, 16 * 1024 * 1024, Range.between(1024 * 1024, 1024 * 1024 * 1024),
                    Importance.LOW, "Largest model zip, in bytes, that can be published: with 64 KiB for its record,"
                            + " the max.message.bytes given to " + MODEL_TOPIC + " when gru-stream creates it (brokers"
                            + " accept 1 MiB by default).")
            .define(MODEL_TOPIC_CATCHUP_TIMEOUT_MS, Type.LONG, 60_000L,
                    Range.between(1_000L, (long) Integer.MAX_VALUE), Importance.LOW,
                    "How long a starting instance, and model publish, may take to read " + MODEL_TOPIC + " to its end"
                            + " before giving up; raise it for a topic holding many large models.")
            .define(HTTP_ENABLED, Type.BOOLEAN, true, Importance.MEDIUM,
                    "Whether the instance serves its HTTP endpoints: interactive queries, health and metrics. Off,"
                            + " it advertises no address, and queries for the keys it holds answer 503 owner_unknown"
                            + " at every other instance of the application.")
            .define(HTTP_PORT, Type.INT, 8080, Range.between(0, 65535), Importance.MEDIUM,
                    "Port of the HTTP endpoints; 0 picks a free one.")
            .define(HTTP_BIND_ADDRESS, Type.STRING, "0.0.0.0", new ConfigDef.NonEmptyString(), Importance.LOW,
                    "Address the HTTP endpoints listen on; 0.0.0.0 listens on every interface.")
            .define(HTTP_ADVERTISED_HOST, Type.STRING, "", new HostName(), Importance.MEDIUM,
                    "Host name or address other instances use to reach this one's HTTP endpoints; with the bound"
                            + " HTTP port it becomes Kafka Streams' application.server, through which queries for a"
                            + " key are forwarded to the instance that holds it. Empty uses this machine's host name.")
            .define(HTTP_FORWARD_TIMEOUT_MS, Type.LONG, 5_000L, Range.between(1, 300_000), Importance.LOW,
                    "Longest wait for the instance that holds a key to answer a query forwarded to it.")
            .define(HTTP_AUTH_TOKEN, Type.PASSWORD, "", new BearerToken(), Importance.MEDIUM,
                    "A bearer token every HTTP endpoint but /health/live and /health/ready asks for (the header"
                            + " Authorization: Bearer <token>; 401 without it); the instances' forwarded queries carry"
                            + " it, so every instance of the application needs the same. Empty serves every endpoint"
                            + " to anyone who reaches the port. Prometheus sends it with a scrape job's"
                            + " authorization setting.")
            .define(BATCH_MAX_SIZE, Type.INT, 256, Range.between(1, 65536), Importance.MEDIUM,
                    "Most observations a task buffers before advancing their keys in one model call. 1 advances"
                            + " every observation on its own, with no buffer.")
            .define(BATCH_LINGER_MS, Type.LONG, 5L, Range.between(1, 60_000), Importance.MEDIUM,
                    "Most wall-clock time a task's buffer waits from its first observation before it is processed"
                            + " however full it is. Kafka Streams runs it between polls, so when no more records"
                            + " arrive an observation may wait up to poll.ms (100 ms by default) longer.")
            .define(ANOMALY_THRESHOLD, Type.DOUBLE, DEFAULT_THRESHOLD, NumberIn.between(0.0, 1.0), Importance.HIGH,
                    "Anomaly score at or above which an observation is flagged (and, after warm-up and outside"
                            + " the suppression window, alerted).")
            .define(ANOMALY_CRITICAL_THRESHOLD, Type.DOUBLE, DEFAULT_CRITICAL_THRESHOLD, NumberIn.between(0.0,
                    1.0), Importance.MEDIUM,
                    "Anomaly score at or above which an alert's severity is CRITICAL instead of WARNING.")
            .define(RESIDUAL_HALFLIFE_EVENTS, Type.DOUBLE, DEFAULT_ERROR_HALFLIFE_EVENTS, NumberIn.between(1.0,
                    1e9), Importance.LOW,
                    "Half-life, in events, of the exponentially weighted statistics of each key's forecast"
                            + " errors that anomaly scores are measured against.")
            .define(ANOMALY_LIKELIHOOD_WINDOW_EVENTS, Type.DOUBLE, DEFAULT_LIKELIHOOD_WINDOW_EVENTS,
                    NumberIn.between(1.0, 1e9), Importance.LOW,
                    "Events over which a key's surprises (its forecast errors, measured in its usual errors and"
                            + " bounded to [0,1]) are averaged, exponentially with weight 1/window, before the average"
                            + " is compared with the key's history of averages; 1 judges each observation on its own.")
            .define(ANOMALY_LIKELIHOOD_HALFLIFE_EVENTS, Type.DOUBLE, DEFAULT_LIKELIHOOD_HALFLIFE_EVENTS,
                    NumberIn.between(1.0, 1e9),
                    Importance.LOW, "Half-life, in events, of the statistics of each key's averaged surprises that"
                            + " the anomaly likelihood measures the current average against.")
            .define(ANOMALY_RANGE_ENABLED, Type.BOOLEAN, DEFAULT_RANGE_ENABLED, Importance.LOW,
                    "Whether an observation that leaves its key's range of earlier values (by more than"
                            + " anomaly.range.tolerance of its width) scores 1.")
            .define(ANOMALY_RANGE_TOLERANCE, Type.DOUBLE, DEFAULT_RANGE_TOLERANCE, NumberIn.between(0.0, 1e9),
                    Importance.LOW,
                    "How far beyond the key's range of earlier values, as a fraction of the range's width, an"
                            + " observation must lie to score 1.")
            .define(ANOMALY_RANGE_WARMUP_EVENTS, Type.LONG, DEFAULT_RANGE_WARMUP_EVENTS, Range.atLeast(0),
                    Importance.LOW,
                    "Observations a key's range must hold before an observation can score 1 for leaving it.")
            .define(ANOMALY_RANGE_WARMUP_MS, Type.LONG, DEFAULT_RANGE_WARMUP_MS, Range.atLeast(0), Importance.LOW,
                    "Event time from a key's first value until an observation beyond its range by"
                            + " anomaly.range.tolerance of its width scores 1; until then only one beyond it by its"
                            + " whole width does, so that a new key's first daily cycle does not alert.")
            .define(ALERT_WARMUP_EVENTS, Type.LONG, DEFAULT_ALERT_WARMUP_EVENTS, Range.atLeast(0), Importance.MEDIUM,
                    "Observations a key's state must have consumed before it may raise an alert.")
            .define(ALERT_SUPPRESSION_MS, Type.LONG, DEFAULT_ALERT_SUPPRESSION_MS, Range.atLeast(0), Importance.MEDIUM,
                    "After an alert, further alerts of the same key are suppressed for this long (event time), and"
                            + " for any observation older than it (a late one); their forecasts are still flagged."
                            + " 0 suppresses none.")
            .define(LATE_GRACE_MS, Type.LONG, DEFAULT_LATE_GRACE_MS, Range.atLeast(0), Importance.MEDIUM,
                    "An observation older than its key's last processed event time by more than this is"
                            + " dead-lettered as 'late'; within it, it is processed in arrival order, unless it repeats"
                            + " an event time the key processed ('duplicate') or lies before the 64 it remembers"
                            + " ('late').")
            .define(FUTURE_TOLERANCE_MS, Type.LONG, 86_400_000L, Range.atLeast(0), Importance.LOW,
                    "An observation whose event time is further than this ahead of the wall clock is"
                            + " dead-lettered as 'future'.")
            .define(STATE_RESET_GAP_MS, Type.LONG, DEFAULT_RESET_GAP_MS, Range.atLeast(0), Importance.MEDIUM,
                    "When a key's next event comes more than this after its previous one, its state restarts"
                            + " from zero (the forecast says GAP). 0 disables gap resets.")
            .define(STATE_TTL_MS, Type.LONG, DEFAULT_STATE_TTL_MS, Range.atLeast(0), Importance.MEDIUM,
                    "Keys that received no observation for longer than this much stream time start afresh at their"
                            + " next one, and eviction scans delete their states (a key whose event times lag the"
                            + " partition's is active while its observations arrive). 0 keeps keys forever.")
            .define(STATE_TTL_SCAN_INTERVAL_MS, Type.LONG, 60_000L, Range.atLeast(1), Importance.LOW,
                    "Stream-time interval between two eviction scans of a task's store.")
            .define(STATE_TTL_SCAN_MAX_KEYS, Type.INT, 10_000, Range.atLeast(1), Importance.LOW,
                    "Most keys one eviction scan inspects; the next scan resumes where it stopped.")
            .define(STATE_STORE_CACHING, Type.BOOLEAN, false, Importance.LOW,
                    "Whether the key-state store uses Kafka Streams' record cache (sized by"
                            + " statestore.cache.max.bytes), which collapses repeated writes to a key between"
                            + " commits. Off by default: a key's state is written once per batch it appears in, and"
                            + " the decoded states (state.cache.max.bytes) serve re-reads, so with many keys the cache"
                            + " only adds work. Turn it on when a few keys get many events per commit interval. Under"
                            + " at_least_once the cache holds states back until the commit, so records replayed after a"
                            + " crash are forecast again instead of dead-lettered as duplicate.")
            .define(STATE_CACHE_MAX_BYTES, Type.LONG, 64L * 1024 * 1024, Range.atLeast(0), Importance.LOW,
                    "Heap, in bytes, that the instance's tasks share for key states kept decoded between batches,"
                            + " so that a key seen again skips the store read and decode. A state with learning on"
                            + " and the bundled model takes about 5 KiB (more with a longer horizon, more targets or"
                            + " more hidden units), so the default holds about 12,500 keys; the bound does not"
                            + " grow with the tasks an instance is given. Which keys stay is Caffeine's choice"
                            + " (frequency-based, so keys that come in turn keep a stable share). Lower it for a"
                            + " heap under 512 MiB; 0 reads every key from the store.")
            .define(STATE_ROCKSDB_MEMORY_BYTES, Type.LONG, 256L * 1024 * 1024, new ZeroOrAtLeast(16L << 20),
                    Importance.MEDIUM,
                    "Memory outside the heap, in bytes, that the instance's RocksDB stores (standby copies included;"
                            + " all of the JVM's) share: one block cache holding data, index and filter blocks and,"
                            + " charged to it, the memtables, which take at most half. RocksDB keeps near it rather"
                            + " than strictly under it. 0 gives every store Kafka Streams' own settings instead (a 50"
                            + " MiB cache and up to 48 MiB of memtables per store, unbounded in total). A"
                            + " rocksdb.config.setter of your own applies after this.")
            .define(INPUT_MAX_KEY_BYTES, Type.INT, 1024, Range.atLeast(1), Importance.LOW,
                    "Longest accepted record key, and series id (input.key.fields), in bytes; longer ones are"
                            + " dead-lettered as 'key-too-large'. HTTP queries take ids up to about 85,000 bytes.")
            .define(INPUT_MAX_VALUE_BYTES, Type.INT, 65_536, Range.atLeast(1), Importance.LOW,
                    "Largest accepted record value with its headers (their keys and values, and 11 bytes each), in"
                            + " bytes; larger ones are dead-lettered as 'value-too-large'. Twice it, twice"
                            + " input.max.key.bytes and 64 KiB must fit the producer's max.request.size (1 MiB by"
                            + " default).")
            .define(INPUT_MAX_ABS_NORMALIZED, Type.DOUBLE, DEFAULT_MAX_ABS_NORMALIZED,
                    NumberIn.between(1.0, DEFAULT_MAX_ABS_NORMALIZED), Importance.LOW,
                    "Largest accepted magnitude of a feature after normalisation; beyond it the value would"
                            + " saturate the model, so the record is dead-lettered as 'out-of-range' (as is any value"
                            + " beyond +-1e150, whatever the model). At most 1e6, the largest input a model is tried"
                            + " on before it is served.")
            .define(INPUT_FORMAT, Type.STRING, "avro", ValidString.in("avro", "json", "avro-generic"),
                    Importance.HIGH,
                    "Format of the observations topic's values: 'avro', gru-stream's Observation record through the"
                            + " schema registry; 'json', one JSON object per record, no registry; 'avro-generic', an"
                            + " Avro record of any schema through the registry. The last two are read with"
                            + " input.key.fields, input.time.field and input.features.")
            .define(INPUT_KEY_FIELDS, Type.LIST, "", Importance.MEDIUM,
                    "For 'json' and 'avro-generic': the fields (dotted paths into nested objects) whose values,"
                            + " joined with '/', name a record's series (with two fields or more, a '%' or '/' inside"
                            + " a value is written %25 or %2F). Empty: the record key.")
            .define(INPUT_REPARTITION, Type.BOOLEAN, false, Importance.MEDIUM,
                    "With input.key.fields: whether every observation is first re-keyed by the series its value"
                            + " names, through a topic Kafka Streams creates and manages"
                            + " (<application.id>-observations-by-series-repartition), so that a series reaches one"
                            + " task however its records are keyed (without a key, say). Costs one more write and read"
                            + " of every record. Off, the records of one series must share a partition. Switch it"
                            + " only with every instance stopped (docs/operations.md).")
            .define(INPUT_TIME_FIELD, Type.STRING, "", Importance.MEDIUM,
                    "For 'json' and 'avro-generic': the field of the event time, as an epoch number (seconds,"
                            + " milliseconds, microseconds or nanoseconds, told apart by size), an ISO-8601 string"
                            + " (UTC without an offset; a date alone is its midnight), or an Avro timestamp. Empty: the"
                            + " record timestamp, in milliseconds, so a key's second record of one millisecond is a"
                            + " duplicate (under LogAppendTime, a key's records after its first in one producer"
                            + " batch).")
            .define(INPUT_FEATURES, Type.LIST, "", Importance.MEDIUM,
                    "For 'json' and 'avro-generic': FEATURE=PATH pairs naming the field of each model feature"
                            + " (value=metrics.cpu). A feature not named is read from the top-level field of its"
                            + " own name.")
            .define(INPUT_VALUE_DESERIALIZER, Type.CLASS, null, Importance.LOW,
                    "For 'avro' and 'avro-generic': a Kafka Deserializer class to read the values with instead of"
                            + " gru-stream's (Confluent's io.confluent.kafka.serializers.KafkaAvroDeserializer, say);"
                            + " configured with the pass-through settings.")
            .define(OUTPUT_LAYOUT, Type.STRING, "nested", ValidString.in("nested", "flat"), Importance.MEDIUM,
                    "Layout of the forecast and alert records: 'nested', the Forecast and AnomalyAlert records (maps"
                            + " of arrays); 'flat', one field per target and step (value_h1, value_h1_lower, ...)"
                            + " and nothing nested, for the JDBC sink connector and ksqlDB.")
            .define(OUTPUT_FORMAT, Type.STRING, "avro", ValidString.in("avro", "json"), Importance.MEDIUM,
                    "Format of the forecast and alert records: 'avro' through the schema registry, or 'json'.")
            .define(OUTPUT_VALUE_SERIALIZER, Type.CLASS, null, Importance.LOW,
                    "For output.format 'avro': a Kafka Serializer class to write the forecast and alert records"
                            + " with instead of gru-stream's (Confluent's KafkaAvroSerializer, say); configured with"
                            + " the pass-through settings.")
            .define(METRICS_WATCHED_KEYS, Type.LIST, "", Importance.LOW,
                    "Keys whose last observation and next-step forecast with its bounds are exported as gauges"
                            + " (gru_watched_value), for a dashboard. Keep it to a few: each key adds four gauges per"
                            + " target.")
            .define(LEARNER_ENABLED, Type.BOOLEAN, DEFAULT_LEARNING, Importance.HIGH,
                    "Whether every key learns its own forecaster from its events, on top of the model (recursive"
                            + " least squares on the model's forecast, the key's recent values and its time-of-day"
                            + " profile, with prediction intervals). Off: the model's forecasts are served as they are,"
                            + " without intervals.")
            .define(LEARNER_FORGETTING_EVENTS, Type.DOUBLE, DEFAULT_LEARNER_FORGETTING_EVENTS,
                    NumberIn.between(2.0, 1e9), Importance.LOW,
                    "How many events a key's learner remembers: its least squares forget with factor 1 - 1/this.")
            .define(LEARNER_PROFILE_BINS, Type.INT, DEFAULT_PROFILE_BINS, Range.between(24, 1440), Importance.LOW,
                    "Bins of each key's time-of-day profile (on the local clock of the model's time zone); must"
                            + " divide a day into whole milliseconds. A key keeps the bins it started with until its"
                            + " learner starts afresh (a new key, one expired by state.ttl.ms, a model change).")
            .define(LEARNER_PROFILE_MID_HORIZON, Type.BOOLEAN, DEFAULT_PROFILE_MID_HORIZON, Importance.LOW,
                    "Whether keys whose forecast horizon spans two hours or more (half-hourly or hourly data) also"
                            + " learn from their time-of-day profile's change to the middle of the horizon. On: much"
                            + " better forecasts several steps ahead on such keys with a strong daily cycle; off by"
                            + " default because it cost anomaly detection on the evaluation series (docs/accuracy.md).")
            .define(LEARNER_PROFILE_WEEKLY, Type.BOOLEAN, DEFAULT_PROFILE_WEEKLY, Importance.LOW,
                    "Whether each key's time-of-day profile also learns how its weekends (Saturday and Sunday in the"
                            + " model's time zone) depart from its weekdays, hour by hour, and uses that while it"
                            + " forecasts the key's values better than the plain profile.")
            .define(LEARNER_GUARD_HALFLIFE_EVENTS, Type.DOUBLE, DEFAULT_GUARD_HALFLIFE_EVENTS,
                    NumberIn.between(1.0, 1e9), Importance.LOW,
                    "Half-life, in events, of the running mean absolute errors of a key's learner and of persistence"
                            + " that its guard compares, step by step, to decide which forecast to issue. Longer: the"
                            + " guard switches less often on noise, and follows a change in which is better later.")
            .define(FORECAST_INTERVAL_COVERAGE, Type.DOUBLE, DEFAULT_INTERVAL_COVERAGE, NumberIn.between(0.5, 0.999),
                    Importance.MEDIUM,
                    "Share of observations each forecast's prediction interval should hold, calibrated per key and"
                            + " step on the key's own recent errors.")
            .define(ANOMALY_INTERVAL_ENABLED, Type.BOOLEAN, DEFAULT_INTERVAL_ALERTS, Importance.LOW,
                    "Whether an observation outside its key's one-step prediction interval at"
                            + " anomaly.interval.coverage scores 1, as one beyond the key's range does. Needs"
                            + " learner.enabled.")
            .define(ANOMALY_INTERVAL_COVERAGE, Type.DOUBLE, DEFAULT_ALERT_INTERVAL_COVERAGE,
                    NumberIn.between(0.5, 0.9999), Importance.LOW,
                    "Coverage of the intervals anomaly.interval.enabled judges observations against; at least"
                            + " forecast.interval.coverage while that is on (while it is off, the larger of the two"
                            + " is kept).");

    /**
     * The first parts of gru-stream's own keys, with their dot ({@code learner.}, {@code anomaly.}, ...), less those
     * other settings share: Confluent's serdes have {@code http.*} keys, Kafka's clients {@code metrics.context.*}
     * and Kafka Streams takes any topic setting, a broker's own included, after {@code topic.}.
     */
    private static final Set<String> OWN_PREFIXES = DEFINITION.names().stream()
            .map(name -> name.substring(0, name.indexOf('.') + 1))
            .filter(prefix -> !Set.of("http.", "metrics.", "topic.").contains(prefix))
            .collect(Collectors.toUnmodifiableSet());
    /** Every setting Kafka Streams and its producer, consumer and admin client define. */
    private static final Set<String> KAFKA_KEYS = Stream.of(StreamsConfig.configDef().names(),
            ProducerConfig.configNames(), ConsumerConfig.configNames(), AdminClientConfig.configNames())
            .flatMap(Set::stream).collect(Collectors.toUnmodifiableSet());

    /**
     * The topic settings Kafka's client names ({@link TopicConfig}'s {@code *_CONFIG} constants): Kafka publishes no
     * list of them but its broker's, which is not on this classpath.
     */
    private static final Set<String> TOPIC_SETTINGS = Arrays.stream(TopicConfig.class.getFields())
            .filter(field -> Modifier.isStatic(field.getModifiers()) && field.getType() == String.class
                    && field.getName().endsWith("_CONFIG"))
            .map(GruStreamConfig::constant)
            .collect(Collectors.toUnmodifiableSet());

    /** Room a batch buffer's changelog record keeps for its fields and framing besides values and keys. */
    private static final int BUFFER_ROOM = 64 * 1024;
    /** Kafka's default {@code max.request.size}. */
    private static final int DEFAULT_MAX_REQUEST_SIZE = 1024 * 1024;

    public GruStreamConfig(Map<String, ?> props) {
        super(DEFINITION, props, false);
        refuseUnknownKeysUnderOwnPrefixes();
        // Kafka trims a secret before its validator sees it: a token of spaces would turn authentication off unsaid.
        if (originals().get(HTTP_AUTH_TOKEN) instanceof String token && !token.isEmpty() && token.isBlank()) {
            throw new ConfigException(HTTP_AUTH_TOKEN + ": only white space; give a token, or leave it empty for"
                    + " none");
        }
        if (getDouble(ANOMALY_CRITICAL_THRESHOLD) < getDouble(ANOMALY_THRESHOLD)) {
            throw new ConfigException(ANOMALY_CRITICAL_THRESHOLD, getDouble(ANOMALY_CRITICAL_THRESHOLD),
                    "must be at least " + ANOMALY_THRESHOLD + " (" + getDouble(ANOMALY_THRESHOLD) + ")");
        }
        // A buffered observation is written to the batch buffer's changelog with its raw value, headers, key and
        // decoded features (up to about its value's size again): one the producer refuses would fail the task at
        // every retry.
        long largestBuffered = 2L * getInt(INPUT_MAX_VALUE_BYTES) + 2L * getInt(INPUT_MAX_KEY_BYTES) + BUFFER_ROOM;
        int maxRequestSize = producerMaxRequestSize(originals());
        if (largestBuffered > maxRequestSize) {
            throw new ConfigException(INPUT_MAX_VALUE_BYTES, getInt(INPUT_MAX_VALUE_BYTES), "twice it and twice "
                    + INPUT_MAX_KEY_BYTES + ", with 64 KiB more, must fit the producer's max.request.size ("
                    + maxRequestSize + "): the batch buffer's changelog records hold a value, its headers"
                    + " and its decoded features; raise max.request.size with it (gru-stream gives the internal"
                    + " topics it creates that max.message.bytes, and warns of existing ones below it)");
        }
        if (getBoolean(INPUT_REPARTITION) && getList(INPUT_KEY_FIELDS).isEmpty()) {
            throw new ConfigException(INPUT_REPARTITION, true, "needs " + INPUT_KEY_FIELDS + ": without it the record"
                    + " key is the series, and Kafka already puts the records of one key in one partition");
        }
        if (getBoolean(ANOMALY_INTERVAL_ENABLED) && !getBoolean(LEARNER_ENABLED)) {
            throw new ConfigException(ANOMALY_INTERVAL_ENABLED, true, "needs " + LEARNER_ENABLED
                    + "=true: the intervals come from the keys' learners");
        }
        if (getBoolean(ANOMALY_INTERVAL_ENABLED)
                && getDouble(ANOMALY_INTERVAL_COVERAGE) < getDouble(FORECAST_INTERVAL_COVERAGE)) {
            throw new ConfigException(ANOMALY_INTERVAL_COVERAGE, getDouble(ANOMALY_INTERVAL_COVERAGE),
                    "must be at least " + FORECAST_INTERVAL_COVERAGE + " (" + getDouble(FORECAST_INTERVAL_COVERAGE)
                            + ") while " + ANOMALY_INTERVAL_ENABLED + " is on");
        }
        if (MILLIS_PER_DAY % getInt(LEARNER_PROFILE_BINS) != 0) {
            throw new ConfigException(LEARNER_PROFILE_BINS, getInt(LEARNER_PROFILE_BINS),
                    "must divide a day (86,400,000 ms) into whole milliseconds, e.g. 24, 48, 96, 144, 288 or 1440");
        }
        Set<String> topics = new HashSet<>(List.of(getString(TOPIC_OBSERVATIONS), getString(TOPIC_FORECASTS),
                getString(TOPIC_ALERTS), getString(TOPIC_DEAD_LETTERS)));
        if (topics.size() != 4) {
            throw new ConfigException("The topics " + TOPIC_OBSERVATIONS + ", " + TOPIC_FORECASTS + ", "
                    + TOPIC_ALERTS + " and " + TOPIC_DEAD_LETTERS + " must be four different topics");
        }
        if (topics.contains(getString(MODEL_TOPIC))) {
            throw new ConfigException(MODEL_TOPIC, getString(MODEL_TOPIC), "must differ from the data topics");
        }
        if (getString(INPUT_FORMAT).equals("avro")) {
            for (String key : List.of(INPUT_KEY_FIELDS, INPUT_FEATURES)) {
                if (!getList(key).isEmpty()) {
                    throw new ConfigException(key, getList(key), "applies to input.format 'json' and 'avro-generic';"
                            + " an Observation names its features and the record key its series");
                }
            }
            if (!getString(INPUT_TIME_FIELD).isBlank()) {
                throw new ConfigException(INPUT_TIME_FIELD, getString(INPUT_TIME_FIELD), "applies to input.format"
                        + " 'json' and 'avro-generic'; an Observation carries its event time");
            }
        }
        if (getString(INPUT_FORMAT).equals("json") && getClass(INPUT_VALUE_DESERIALIZER) != null) {
            throw new ConfigException(INPUT_VALUE_DESERIALIZER, getClass(INPUT_VALUE_DESERIALIZER).getName(),
                    "applies to input.format 'avro' and 'avro-generic'");
        }
        if (getString(OUTPUT_FORMAT).equals("json") && getClass(OUTPUT_VALUE_SERIALIZER) != null) {
            throw new ConfigException(OUTPUT_VALUE_SERIALIZER, getClass(OUTPUT_VALUE_SERIALIZER).getName(),
                    "applies to output.format 'avro'");
        }
        requireSubclass(INPUT_VALUE_DESERIALIZER, Deserializer.class);
        requireSubclass(OUTPUT_VALUE_SERIALIZER, Serializer.class);
        if (originals().containsKey(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG)) {
            throw new ConfigException(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG,
                    originals().get(StreamsConfig.ERRORS_DEAD_LETTER_QUEUE_TOPIC_NAME_CONFIG), "is set from "
                            + TOPIC_DEAD_LETTERS + ", the topic every dead letter goes to; set that instead");
        }
        if (getBoolean(INPUT_REPARTITION)
                && originals().containsKey(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG)) {
            // Kafka Streams reads a repartition topic with the default extractor, which must keep the event time
            // the first hop stamped on each record: another would change the keys' stream time (TTL, arrival).
            throw new ConfigException(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG,
                    originals().get(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG), "would read "
                            + INPUT_REPARTITION + "'s topic, whose records carry their event time as their"
                            + " timestamp; leave it unset (" + INPUT_TIME_FIELD + " says where event times are)");
        }
        if (originals().containsKey(StreamsConfig.APPLICATION_SERVER_CONFIG)) {
            throw new ConfigException(StreamsConfig.APPLICATION_SERVER_CONFIG,
                    originals().get(StreamsConfig.APPLICATION_SERVER_CONFIG), getBoolean(HTTP_ENABLED)
                            ? "is derived from " + HTTP_ADVERTISED_HOST + " and " + HTTP_PORT + " while "
                                    + HTTP_ENABLED + " is true; set those instead"
                            : "names an address other instances would forward queries to, but with " + HTTP_ENABLED
                                    + "=false this one serves none; leave it unset");
        }
    }

    /**
     * The {@code max.message.bytes} that the topics gru-stream writes need beyond the brokers' default: the producer's
     * {@code max.request.size} where it was raised above Kafka's default of 1 MiB, else empty.
     */
    public OptionalInt raisedMaxRequestSize() {
        int size = producerMaxRequestSize(originals());
        return size > DEFAULT_MAX_REQUEST_SIZE ? OptionalInt.of(size) : OptionalInt.empty();
    }

    /**
     * The producer's {@code max.request.size} in {@code configs} (as {@code producer.max.request.size} or unprefixed,
     * the prefixed one first, as Kafka Streams reads them; Kafka's default of 1 MiB when neither is set).
     */
    public static int producerMaxRequestSize(Map<String, ?> configs) {
        Object size = configs.get(StreamsConfig.producerPrefix(ProducerConfig.MAX_REQUEST_SIZE_CONFIG));
        if (size == null) {
            size = configs.get(ProducerConfig.MAX_REQUEST_SIZE_CONFIG);
        }
        if (size == null) {
            return DEFAULT_MAX_REQUEST_SIZE;
        }
        try {
            return Integer.parseInt(size.toString().trim());
        } catch (NumberFormatException e) {
            throw new ConfigException(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, size, "must be a whole number of bytes");
        }
    }

    /**
     * Refuses a key that starts like gru-stream's own ({@code learner.}, {@code anomaly.}, ...) but is neither one of
     * them nor a Kafka setting: most likely a misspelt setting, which would otherwise leave its default in force with
     * no more than the warning Kafka's clients log for a key they do not use.
     */
    private void refuseUnknownKeysUnderOwnPrefixes() {
        for (String key : originals().keySet()) {
            String prefix = key.substring(0, key.indexOf('.') + 1);
            if (isOwnKey(key) || KAFKA_KEYS.contains(key) || !OWN_PREFIXES.contains(prefix)) {
                continue;
            }
            List<String> own = DEFINITION.names().stream().filter(name -> name.startsWith(prefix)).sorted().toList();
            throw new ConfigException("Unknown setting '" + key + "': gru-stream's settings starting with '" + prefix
                    + "' are " + own + ", and it is not a Kafka Streams or client setting either");
        }
    }

    private static String constant(Field field) {
        try {
            return (String) field.get(null);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("Cannot read " + field, e);
        }
    }

    /**
     * The keys after {@code topic.} that are neither gru-stream's nor a topic setting Kafka's client names, sorted:
     * Kafka Streams gives every {@code topic.*} key to the topics it creates, and a broker refuses a topic setting it
     * does not know, so a misspelt {@code topic.dead.letter} fails the stream threads as they create their changelogs.
     * Not refused here: a broker may know settings of its own (a vendor's).
     */
    public List<String> unknownTopicSettings() {
        return originals().keySet().stream()
                .filter(key -> key.startsWith(StreamsConfig.TOPIC_PREFIX) && !isOwnKey(key)
                        && !TOPIC_SETTINGS.contains(key.substring(StreamsConfig.TOPIC_PREFIX.length())))
                .sorted().toList();
    }

    /** Refuses a class setting that names a class of the wrong kind (a deserializer given for a serializer, say). */
    private void requireSubclass(String key, Class<?> kind) {
        Class<?> type = getClass(key);
        if (type != null && !kind.isAssignableFrom(type)) {
            throw new ConfigException(key, type.getName(), "is not a " + kind.getName());
        }
    }

    /** The host other instances reach this instance's HTTP endpoints at: {@code http.advertised.host} or its name. */
    public String advertisedHost() {
        String configured = getString(HTTP_ADVERTISED_HOST);
        if (!configured.isBlank()) {
            return configured;
        }
        String hostName;
        try {
            hostName = InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            throw new ConfigException(HTTP_ADVERTISED_HOST, configured, "this machine's host name cannot be"
                    + " resolved (" + e.getMessage() + "); set the host other instances reach this one at");
        }
        return advertisable(hostName);
    }

    /**
     * {@code hostName}, this machine's, checked as a configured {@code http.advertised.host} is (an IPv6 address
     * comes without brackets): one with '_', say, is no host of a URL, and the other instances could never forward
     * queries to it.
     */
    static String advertisable(String hostName) {
        // An IPv6 address, which Java gives without brackets, is bracketed by whoever builds a URL of it.
        if (!HostName.isValid(hostName.contains(":") ? "[" + hostName + "]" : hostName)) {
            throw new ConfigException(HTTP_ADVERTISED_HOST, "", "this machine's host name '" + hostName
                    + "' cannot be the host of a URL; set the host other instances reach this one at");
        }
        return hostName;
    }

    /** The definition of gru-stream's own keys. */
    public static ConfigDef definition() {
        return new ConfigDef(DEFINITION);
    }

    /** Whether {@code key} is one of gru-stream's own keys rather than a pass-through Kafka or serde setting. */
    public static boolean isOwnKey(String key) {
        return DEFINITION.names().contains(key);
    }

    /**
     * Whether {@code key} is gru-stream's, or starts like gru-stream's own ({@code learner.}, {@code anomaly.}, ...)
     * without being a Kafka setting: a key that validation refuses as misspelt unless it is one of them.
     */
    public static boolean isOwnNamespace(String key) {
        return isOwnKey(key) || !KAFKA_KEYS.contains(key)
                && OWN_PREFIXES.contains(key.substring(0, key.indexOf('.') + 1));
    }

    /**
     * The settings for Kafka Streams and its clients and serdes: every key that is not gru-stream's own, over
     * gru-stream's defaults for Kafka Streams.
     */
    public Map<String, Object> passThrough() {
        Map<String, Object> result = new LinkedHashMap<>(STREAMS_DEFAULTS);
        originals().forEach((key, value) -> {
            if (!isOwnKey(key)) {
                result.put(key, value);
            }
        });
        return result;
    }

    /** {@link #passThrough()} as {@link Properties}, for {@code new KafkaStreams(topology, properties)}. */
    public Properties streamsProperties() {
        Properties properties = new Properties();
        properties.putAll(passThrough());
        return properties;
    }

    /**
     * Every setting in force, own and pass-through, sorted by key, with secrets replaced by {@code [hidden]}: safe
     * to log.
     */
    public Map<String, String> redactedSummary() {
        Map<String, String> summary = new TreeMap<>();
        values().forEach((key, value) -> summary.put(key, String.valueOf(value)));
        passThrough().forEach((key, value) -> summary.put(key, Secrets.redact(key, String.valueOf(value))));
        return summary;
    }

    /**
     * Accepts a bearer token as RFC 6750 writes one (letters, digits, {@code -._~+/}, then {@code =} only at the end),
     * or the empty string. Other characters may not go into a header as they are, and the JDK's client would quote
     * the whole header in its error. The value is never repeated in the refusal.
     */
    static final class BearerToken implements ConfigDef.Validator {
        private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9._~+/-]+=*");

        @Override
        public void ensureValid(String name, Object value) {
            String token = value == null ? "" : ((Password) value).value();
            if (!token.isEmpty() && !TOKEN.matcher(token).matches()) {
                throw new ConfigException(name + ": expected a bearer token of letters, digits and -._~+/, with ="
                        + " at its end only (RFC 6750); the value given is not repeated here");
            }
        }

        @Override
        public String toString() {
            return "a bearer token: letters, digits, -._~+/ and = at its end";
        }
    }

    /**
     * Accepts a host name or an IP address without scheme, port or path (an IPv6 address in brackets), or the empty
     * string.
     */
    static final class HostName implements ConfigDef.Validator {
        private static final Pattern HOST =
                Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?|\\[[0-9A-Fa-f:.]+]");

        @Override
        public void ensureValid(String name, Object value) {
            String host = (String) value;
            if (!host.isEmpty() && !isValid(host)) {
                throw new ConfigException(name, value, "expected a host name or IP address, without scheme, port"
                        + " or path (an IPv6 address in brackets)");
            }
        }

        /** Whether {@code host} can be the host of a URL: a name or address, an IPv6 address in brackets. */
        static boolean isValid(String host) {
            return host.length() <= 253 && HOST.matcher(host).matches();
        }

        @Override
        public String toString() {
            return "a host name or IP address, or empty";
        }
    }

    /**
     * Kafka's {@link Range} for a decimal setting, refusing {@code NaN} as well: Range compares with {@code <} and
     * {@code >}, both false for NaN, so it would let NaN through whatever its bounds.
     */
    static final class NumberIn implements ConfigDef.Validator {
        private final Range range;

        private NumberIn(Range range) {
            this.range = range;
        }

        static NumberIn between(double min, double max) {
            return new NumberIn(Range.between(min, max));
        }

        @Override
        public void ensureValid(String name, Object value) {
            if (value instanceof Double number && number.isNaN()) {
                throw new ConfigException(name, value, "expected a number in " + range);
            }
            range.ensureValid(name, value);
        }

        @Override
        public String toString() {
            return range.toString();
        }
    }

    /** Accepts 0, which turns a bound off, or a bound large enough to work ({@code 256} meant as MiB is not). */
    static final class ZeroOrAtLeast implements ConfigDef.Validator {
        private final long least;

        ZeroOrAtLeast(long least) {
            this.least = least;
        }

        @Override
        public void ensureValid(String name, Object value) {
            long bytes = (Long) value;
            if (bytes != 0 && bytes < least) {
                throw new ConfigException(name, value, "expected 0 (no bound) or at least " + least + " bytes");
            }
        }

        @Override
        public String toString() {
            return "0, or at least " + least;
        }
    }

    /** The reference of gru-stream's own keys as a Markdown table. */
    public static String describe() {
        StringBuilder table = new StringBuilder("| key | default | valid values | description |\n")
                .append("| --- | --- | --- | --- |\n");
        for (ConfigDef.ConfigKey key : DEFINITION.configKeys().values()) {
            table.append("| `").append(key.name).append("` | `")
                    // A secret's default is empty: Password prints "[hidden]" whatever it holds.
                    .append(key.hasDefault() && !(key.defaultValue instanceof Password)
                            ? String.valueOf(key.defaultValue) : "")
                    .append("` | ").append(key.validator == null ? "" : key.validator.toString().replace("|", "\\|"))
                    .append(" | ").append(key.documentation.replace("|", "\\|")).append(" |\n");
        }
        return table.toString();
    }
}
