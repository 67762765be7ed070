package dev.grustream.cli;

import dev.grustream.avro.AnomalyAlert;
import dev.grustream.avro.Forecast;
import dev.grustream.embedded.ObservationGenerator;
import dev.grustream.embedded.SyntheticSeries;
import dev.grustream.topology.Topics;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

/**
 * What the demo shows in the terminal: rates, a few keys' actual against forecast values, and alerts as they fire.
 * A consumer thread reads the output topics (read_committed); {@link #render} draws the current picture.
 *
 * <p>Lifecycle: {@link #start()}, then {@link #render} from one thread, then {@link #close()}.
 */
final class DemoView implements AutoCloseable {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);
    private static final int SHOWN_ALERTS = 8;

    private final Topics topics;
    private final ObservationGenerator generator;
    private final int shownKeys;
    private final KafkaConsumer<String, byte[]> consumer;
    private final Thread thread;
    private final Map<String, Row> rows = new TreeMap<>();
    private final Deque<String> alerts = new ArrayDeque<>();
    private final AtomicLong forecasts = new AtomicLong();
    private final AtomicLong alertCount = new AtomicLong();
    private final AtomicLong deadLetters = new AtomicLong();
    private long lastSent;
    private long lastForecasts;
    private long lastRender = System.nanoTime();

    /** One key's latest row: actual, what was forecast for it, score, next forecast and its interval. */
    private record Row(double actual, double expected, double score, double next, Double lower, Double upper) {
    }

    DemoView(String bootstrapServers, Topics topics, ObservationGenerator generator, int shownKeys) {
        this.topics = topics;
        this.generator = generator;
        this.shownKeys = shownKeys;
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "gru-stream-demo-view");
        props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest");
        this.consumer = new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer());
        this.thread = new Thread(this::consume, "demo-view");
        this.thread.setDaemon(true);
    }

    void start() {
        consumer.subscribe(List.of(topics.forecasts(), topics.alerts(), topics.deadLetters()));
        thread.start();
    }

    private void consume() {
        try {
            while (true) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    accept(record);
                }
            }
        } catch (WakeupException stopping) {
            // close() woke the consumer up: the demo is ending.
        }
    }

    private void accept(ConsumerRecord<String, byte[]> record) {
        if (record.topic().equals(topics.forecasts())) {
            forecasts.incrementAndGet();
            Forecast forecast = topics.forecastSerde().deserializer().deserialize(record.topic(), record.value());
            SyntheticSeries.Point sent = generator.sentAt(forecast.getKey(), forecast.getEventTime().toEpochMilli());
            Double expected = forecast.getExpected() == null ? null : forecast.getExpected().get("value");
            synchronized (rows) {
                if (rows.containsKey(forecast.getKey()) || rows.size() < shownKeys) {
                    List<Double> lower = forecast.getLower().get("value");
                    List<Double> upper = forecast.getUpper().get("value");
                    rows.put(forecast.getKey(), new Row(sent == null ? Double.NaN : sent.value(),
                            expected == null ? Double.NaN : expected, forecast.getAnomalyScore(),
                            forecast.getForecast().get("value").get(0), lower == null ? null : lower.get(0),
                            upper == null ? null : upper.get(0)));
                }
            }
        } else if (record.topic().equals(topics.alerts())) {
            alertCount.incrementAndGet();
            AnomalyAlert alert = topics.alertSerde().deserializer().deserialize(record.topic(), record.value());
            SyntheticSeries.Point sent = generator.sentAt(alert.getKey(), alert.getEventTime().toEpochMilli());
            String cause = sent == null ? "" : sent.anomaly() == null ? "  (nothing injected here)"
                    : "  (injected: " + sent.anomaly() + ")";
            String line = String.format(Locale.ROOT, "%s  %-12s %-8s actual %9.2f  expected %9.2f  score %.6f%s",
                    TIME.format(alert.getEventTime()), alert.getKey(), alert.getSeverity(),
                    alert.getActual().get("value"), alert.getExpected().get("value"), alert.getAnomalyScore(), cause);
            synchronized (alerts) {
                alerts.addFirst(line);
                while (alerts.size() > SHOWN_ALERTS) {
                    alerts.removeLast();
                }
            }
        } else {
            deadLetters.incrementAndGet();
        }
    }

    /** Draws the picture: in place on a terminal, as a compact status line otherwise. */
    void render(PrintWriter out, String banner, boolean terminal, Instant started) {
        long now = System.nanoTime();
        double seconds = Math.max(1e-3, (now - lastRender) / 1e9);
        long sent = generator.sent();
        long forecastCount = forecasts.get();
        double inRate = (sent - lastSent) / seconds;
        double outRate = (forecastCount - lastForecasts) / seconds;
        lastSent = sent;
        lastForecasts = forecastCount;
        lastRender = now;
        Duration uptime = Duration.between(started, Instant.now());
        String status = String.format(Locale.ROOT, "events in %,.0f/s   forecasts %,.0f/s   alerts %d   dead letters"
                + " %d   injected anomalies %d   uptime %d:%02d:%02d", inRate, outRate, alertCount.get(),
                deadLetters.get(), generator.injectedAnomalies(), uptime.toHours(), uptime.toMinutesPart(),
                uptime.toSecondsPart());
        if (!terminal) {
            out.println(status);
            synchronized (alerts) {
                if (!alerts.isEmpty()) {
                    out.println("  latest alert: " + alerts.peekFirst());
                }
            }
            out.flush();
            return;
        }
        StringBuilder screen = new StringBuilder("\u001b[H\u001b[2J");
        screen.append(banner).append('\n').append(status).append("\n\n");
        screen.append(String.format(Locale.ROOT, "%-12s %10s %16s %10s %8s %14s %21s%n", "key", "actual",
                "forecast for it", "error", "score", "next forecast", "interval"));
        synchronized (rows) {
            rows.forEach((key, row) -> screen.append(String.format(Locale.ROOT,
                    "%-12s %10.2f %16.2f %10.2f %8.4f %14.2f %21s%n", key, row.actual(), row.expected(),
                    row.actual() - row.expected(), row.score(), row.next(),
                    row.lower() == null ? "(learning)" : String.format(Locale.ROOT, "%9.2f .. %-9.2f", row.lower(),
                            row.upper()))));
        }
        screen.append("\nlatest alerts (event time UTC)\n");
        synchronized (alerts) {
            if (alerts.isEmpty()) {
                screen.append("  none yet: keys warm up first, then anomalies are injected now and then\n");
            }
            alerts.forEach(line -> screen.append("  ").append(line).append('\n'));
        }
        screen.append("\nCtrl-C to stop\n");
        out.print(screen);
        out.flush();
    }

    long forecasts() {
        return forecasts.get();
    }

    long alerts() {
        return alertCount.get();
    }

    /** Dead letters read so far. */
    long deadLetters() {
        return deadLetters.get();
    }

    @Override
    public void close() {
        consumer.wakeup();
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        consumer.close(org.apache.kafka.clients.consumer.CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
