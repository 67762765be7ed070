package dev.grustream.service;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.GruStepper;
import dev.grustream.http.ModelStatus;
import dev.grustream.model.ModelWriter;
import dev.grustream.testing.TestingModels;
import dev.grustream.topology.ActiveModel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class ModelSwitchTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");

    private final ActiveModel active = new ActiveModel(TestingModels.persistence("1", 1, "value", "other"));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final ModelSwitch models = new ModelSwitch(active, "file:/m.zip", Backend.JAVA, meters,
            Clock.fixed(NOW, ZoneOffset.UTC));

    @TempDir
    Path dir;

    private double count(String outcome) {
        return meters.find("gru.model.swaps").tag("outcome", outcome).counter().count();
    }

    private byte[] zip(GruModel model) throws IOException {
        Path modelDir = dir.resolve("model-" + model.spec().version());
        ModelWriter.write(model, modelDir);
        return ModelTopic.zipOf(modelDir);
    }

    @Test
    void aModelThatCannotBeLoadedHereIsCountedOnceHoweverOftenItIsOfferedAgain() throws IOException {
        byte[] zip = zip(TestingModels.persistence("2", 1, "value", "other"));
        models.copyZipsTo(dir.resolve("not-there"));

        assertThat(models.offer(zip, "persistence", "models-0@3")).isEqualTo(ModelSwitch.Outcome.DEFERRED);
        assertThat(models.offer(zip, "persistence", "models-0@3")).isEqualTo(ModelSwitch.Outcome.DEFERRED);

        assertThat(count("deferred")).isEqualTo(1.0);
        assertThat(active.current().spec().version()).isEqualTo("1");
    }

    @Test
    void aModelThatCannotBeLoadedHereAsTheInstanceReplaysTheTopicIsCountedAtItsFirstRetryAfterwards()
            throws IOException {
        byte[] zip = zip(TestingModels.persistence("2", 1, "value", "other"));
        models.copyZipsTo(dir.resolve("not-there"));
        models.replaying(true);
        models.offer(zip, "persistence", "models-0@3");
        models.replaying(false);

        assertThat(models.offer(zip, "persistence", "models-0@3")).isEqualTo(ModelSwitch.Outcome.DEFERRED);

        assertThat(count("deferred")).isEqualTo(1.0);
    }

    @Test
    void aModelWhoseForecastsOverflowOnlyOnRealInputsCannotBeServed() {
        assertThat(ModelSwitch.trialStep(TestingModels.overflowingOnInput("2"), Backend.JAVA))
                .hasValueSatisfying(problem -> assertThat(problem).contains("after inputs of 1")
                        .contains("not a finite number"));
        assertThat(ModelSwitch.trialStep(TestingModels.persistence("2"), Backend.JAVA)).isEmpty();
    }

    @Test
    void aModelWhoseSumsCanOverflowOnInputsTheProbesMissCannotBeServed() {
        GruModel model = TestingModels.overflowingOnTwoLargeInputs("2");
        float[] state = model.newState();
        float[] forecast = new float[1];
        try (GruStepper stepper = model.newStepper(Backend.JAVA)) {
            stepper.step(1, new float[] {1e6f, 1e6f}, state, forecast);
            assertThat(forecast[0]).isFinite();
            stepper.step(1, new float[] {1e6f, 1e6f}, state, forecast);
        }

        assertThat(forecast[0]).isNaN();
        assertThat(ModelSwitch.trialStep(model, Backend.JAVA)).hasValueSatisfying(problem -> assertThat(problem)
                .startsWith("layers[0] row 2: its weights and bias can sum to").doesNotContain("not a finite"));
    }

    @Test
    void theBundledModelsSumsStayFarFromFloatsLimit() {
        assertThat(ModelSource.bundled().overflowRisk()).isEmpty();
    }

    @Test
    void swapsInANewVersion() {
        GruModel next = TestingModels.persistence("2", 1, "value", "other");

        assertThat(models.offer(next, "models-0@4")).isEqualTo(ModelSwitch.Outcome.APPLIED);

        assertThat(active.current()).isSameAs(next);
        assertThat(models.snapshot().source()).isEqualTo("models-0@4");
        assertThat(models.snapshot().swaps()).isEqualTo(1);
        assertThat(count("applied")).isEqualTo(1);
    }

    @Test
    void aStatusReadDoesNotWaitForAnOfferInProgress() throws Exception {
        assertThat(models.offer(TestingModels.persistence("2", 1, "value", "other"), "models-0@4"))
                .isEqualTo(ModelSwitch.Outcome.APPLIED);
        CompletableFuture<ModelStatus.Snapshot> read;
        // An offer holds the switch's lock while it loads and tries a model, which may take seconds.
        synchronized (models) {
            read = CompletableFuture.supplyAsync(models::snapshot);
            assertThat(read.get(10, TimeUnit.SECONDS).source()).isEqualTo("models-0@4");
        }
    }

    @Test
    void aModelWithCalendarInputsIsSwappedIn() {
        GruModel bundled = ModelSource.bundled();
        ModelSwitch servingOneFeature = new ModelSwitch(new ActiveModel(TestingModels.persistence("1")),
                "file:/m.zip", Backend.JAVA, meters, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(bundled.spec().inputCount()).isGreaterThan(bundled.spec().featureCount());
        assertThat(servingOneFeature.offer(bundled, "models-0@5")).isEqualTo(ModelSwitch.Outcome.APPLIED);
    }

    @Test
    void theModelInfoGaugeNamesOnlyTheServingModel() {
        String name = active.current().spec().name();
        assertThat(meters.get("gru.model.info").tags("name", name, "version", "1").gauge().value()).isEqualTo(1.0);

        models.offer(TestingModels.persistence("2", 1, "value", "other"), "models-0@4");

        assertThat(meters.get("gru.model.info").tags("name", name, "version", "2").gauge().value()).isEqualTo(1.0);
        assertThat(meters.find("gru.model.info").gauges()).hasSize(1);
    }

    @Test
    void theModelInfoGaugeIsScrapedUnderTheNameTheDocsAndDashboardUse() {
        PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new ModelSwitch(active, "file:/m.zip", Backend.JAVA, prometheus, Clock.fixed(NOW, ZoneOffset.UTC));

        assertThat(prometheus.scrape()).contains("gru_model_info{name=\"" + active.current().spec().name()
                + "\",version=\"1\"} 1");
    }

    @Test
    void theSameNameAndVersionIsLeftAsItIs() {
        GruModel serving = active.current();

        assertThat(models.offer(TestingModels.persistence("1", 1, "value", "other"), "models-0@5"))
                .isEqualTo(ModelSwitch.Outcome.UNCHANGED);

        assertThat(active.current()).isSameAs(serving);
        assertThat(count("applied")).isZero();
        assertThat(count("rejected")).isZero();
    }

    @Test
    void theSameNameAndVersionWithOtherContentsIsRejected() {
        GruModel serving = active.current();

        assertThat(models.offer(TestingModels.persistence("1", 1, "other", "value"), "models-0@5"))
                .isEqualTo(ModelSwitch.Outcome.REJECTED);

        assertThat(active.current()).isSameAs(serving);
        assertThat(models.snapshot().lastRejection()).hasValueSatisfying(rejection -> assertThat(rejection.reason())
                .contains("other contents").contains("new version"));
    }

    @Test
    void offersReplayedAsTheInstanceStartsAreDecidedButNotCounted() {
        GruModel next = TestingModels.persistence("2", 1, "value", "other");
        models.replaying(true);
        models.offer(next, "models-0@4");
        models.offer(TestingModels.persistence("3", 1, "value"), "models-0@5");
        models.replaying(false);

        assertThat(active.current()).isSameAs(next);
        assertThat(models.snapshot().swaps()).isZero();
        assertThat(count("applied")).isZero();
        assertThat(count("rejected")).isZero();
    }

    @Test
    void aRejectionOfTheReplayAtStartSaysSo() {
        models.replaying(true);
        models.offer(TestingModels.persistence("2", 1, "value", "load"), "models-0@6");
        models.replaying(false);

        assertThat(models.snapshot().lastRejection()).hasValueSatisfying(rejection -> {
            assertThat(rejection.source()).isEqualTo("models-0@6");
            assertThat(rejection.replayed()).isTrue();
        });
    }

    @Test
    void featuresInAnotherOrderAreAccepted() {
        GruModel serving = active.current();
        GruModel reordered = GruModel.of(serving.spec().toBuilder().version("2").features("other", "value").build(),
                List.of(serving.layer(0)), serving.headWeight(), serving.headBias());

        assertThat(models.offer(reordered, "models-0@3")).isEqualTo(ModelSwitch.Outcome.APPLIED);
    }

    @Test
    void otherTargetsAreRejected() {
        assertThat(models.offer(TestingModels.persistence("2", 2, "value", "other"), "models-0@3"))
                .isEqualTo(ModelSwitch.Outcome.REJECTED);
        assertThat(models.snapshot().lastRejection()).hasValueSatisfying(
                rejection -> assertThat(rejection.reason()).contains("targets [value, other]"));
    }

    @Test
    void otherFeaturesAreRejectedAndTheServingModelStays() {
        GruModel serving = active.current();

        assertThat(models.offer(TestingModels.persistence("2", 1, "value", "load"), "models-0@6"))
                .isEqualTo(ModelSwitch.Outcome.REJECTED);

        assertThat(active.current()).isSameAs(serving);
        assertThat(count("rejected")).isEqualTo(1);
        assertThat(models.snapshot().lastRejection()).hasValueSatisfying(rejection -> {
            assertThat(rejection.source()).isEqualTo("models-0@6");
            assertThat(rejection.model()).isEqualTo("persistence/2");
            assertThat(rejection.reason()).contains("features [value, load]", "[value, other]");
            assertThat(rejection.at()).isEqualTo(NOW);
            assertThat(rejection.replayed()).isFalse();
        });
    }

    @Test
    void anUnloggedSwitchJudgesAsAnyButLogsNothing() {
        ModelSwitch unlogged = ModelSwitch.unlogged(TestingModels.persistence("1"), "test", Backend.JAVA);
        Logger logger = (Logger) LoggerFactory.getLogger(ModelSwitch.class);
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        logger.addAppender(appender);
        try {
            assertThat(unlogged.offer(TestingModels.persistence("2", 1, "value", "load"), "t-0@0"))
                    .isEqualTo(ModelSwitch.Outcome.REJECTED);
            assertThat(unlogged.offer(TestingModels.persistence("2"), "t-0@1")).isEqualTo(ModelSwitch.Outcome.APPLIED);
            assertThat(unlogged.offer(TestingModels.persistence("2"), "t-0@2"))
                    .isEqualTo(ModelSwitch.Outcome.UNCHANGED);
        } finally {
            logger.detachAppender(appender);
        }

        assertThat(appender.list).isEmpty();
    }

    @Test
    void bytesThatAreNotAModelAreRejected() {
        assertThat(models.offer("garbage".getBytes(StandardCharsets.UTF_8), "persistence", "models-0@7"))
                .isEqualTo(ModelSwitch.Outcome.REJECTED);

        assertThat(models.snapshot().lastRejection()).hasValueSatisfying(
                rejection -> assertThat(rejection.reason()).startsWith("it is not a valid gru-stream model"));
    }

    @Test
    void aRejectedZipsReasonNamesTheZipNotATemporaryFile() throws IOException {
        Path modelDir = dir.resolve("no-weights");
        ModelWriter.write(TestingModels.persistence("2"), modelDir);
        Files.delete(modelDir.resolve("head_bias.npy"));

        assertThat(models.offer(ModelTopic.zipOf(modelDir), "persistence", "models-0@7"))
                .isEqualTo(ModelSwitch.Outcome.REJECTED);

        assertThat(models.snapshot().lastRejection()).hasValueSatisfying(rejection -> assertThat(rejection.reason())
                .contains("head_bias.npy: missing from the zip")
                .doesNotContain(System.getProperty("java.io.tmpdir")));
    }

    @Test
    void aModelPublishedUnderAnotherNameIsRejected() throws IOException {
        byte[] zip = zip(TestingModels.persistence("2", 1, "value", "other"));

        assertThat(models.offer(zip, "latency", "models-0@8")).isEqualTo(ModelSwitch.Outcome.REJECTED);
        assertThat(models.snapshot().lastRejection()).hasValueSatisfying(
                rejection -> assertThat(rejection.reason()).contains("'latency'", "'persistence'"));
    }

    @Test
    void aModelZipIsSwappedIn() throws IOException {
        byte[] zip = zip(TestingModels.persistence("2", 1, "value", "other"));

        assertThat(models.offer(zip, "persistence", "models-0@9")).isEqualTo(ModelSwitch.Outcome.APPLIED);
        assertThat(active.current().spec().version()).isEqualTo("2");
    }

    @Test
    void aSnapshotTakenDuringSwapsNeverPairsOneModelWithAnothersSource() throws Exception {
        AtomicBoolean swapping = new AtomicBoolean(true);
        CountDownLatch reading = new CountDownLatch(1);
        AtomicInteger snapshots = new AtomicInteger();
        CompletableFuture<List<String>> mismatches = CompletableFuture.supplyAsync(() -> {
            List<String> seen = new ArrayList<>();
            reading.countDown();
            while (swapping.get()) {
                snapshots.incrementAndGet();
                ModelStatus.Snapshot snapshot = models.snapshot();
                String version = snapshot.active().spec().version();
                String expected = version.equals("1") ? "file:/m.zip" : "models-0@" + version;
                if (!snapshot.source().equals(expected)) {
                    seen.add("version " + version + " from " + snapshot.source());
                }
            }
            return seen;
        });
        // The swaps start once the reader runs, so that they overlap its snapshots.
        assertThat(reading.await(10, TimeUnit.SECONDS)).isTrue();
        for (int version = 2; version <= 400; version++) {
            models.offer(TestingModels.persistence(Integer.toString(version), 1, "value", "other"),
                    "models-0@" + version);
        }
        swapping.set(false);

        assertThat(mismatches.join()).isEmpty();
        assertThat(snapshots).hasPositiveValue();
    }
}
