package dev.grustream.cli;

import dev.grustream.config.GruStreamConfig;
import dev.grustream.model.Backend;
import dev.grustream.model.GruModel;
import dev.grustream.model.ModelSpec;
import dev.grustream.model.ModelWriter;
import dev.grustream.service.ModelSource;
import dev.grustream.service.ModelSwitch;
import dev.grustream.service.ModelTopic;
import dev.grustream.service.ModelTopicWatcher;
import dev.grustream.service.TopicCreation;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.producer.RecordMetadata;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code gru-stream model}: the operator's tools for the models the instances serve. */
@Command(name = "model",
        header = "Manages the models that running instances serve.",
        mixinStandardHelpOptions = true,
        description = "Manages the models that running instances serve.",
        subcommands = {ModelCommand.Publish.class})
final class ModelCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "Missing command: choose one of "
                + spec.subcommands().keySet());
    }

    /** {@code gru-stream model publish --file MODEL.zip}: rolls a model out to every instance following the topic. */
    @Command(name = "publish",
            header = "Publishes a model to the models topic, for every instance to swap to it live.",
            mixinStandardHelpOptions = true,
            description = {"Publishes a model to model.topic: every running instance following it checks the model"
                    + " and switches to it without a restart (each key restarts its state at its next event).",
                    "An instance keeps its model and logs why when it refuses one (see GET /v1/model); run with the"
                            + " instances' settings, this command first checks the model as they will (other"
                            + " features or targets; a step on the Java backend) unless --skip-instance-check."})
    static final class Publish implements Callable<Integer> {
        @Mixin
        ConfigOptions config;

        @Option(names = {"-f", "--file"}, required = true, paramLabel = "MODEL",
                description = "Model .zip or directory in the gru-stream model format (of a directory, only"
                        + " model.json and the model's .npy arrays are sent).")
        Path file;

        @Option(names = "--create-topic",
                description = "Create model.topic (compacted, one partition) if it does not exist.")
        boolean createTopic;

        @Option(names = "--replication-factor", paramLabel = "R",
                description = "With --create-topic: the models topic's replicas. Default: replication.factor when it"
                        + " is set, else the brokers' default (1 on a stock broker, and a models topic of one replica"
                        + " keeps instances from starting while its broker is down).")
        Short replicationFactor;

        @Option(names = "--skip-instance-check",
                description = "Skip reading model.topic to check the model against the one the instances serve"
                        + " (for a principal that may only write the topic, or a machine without the instances'"
                        + " model.path).")
        boolean skipInstanceCheck;

        @CommandLine.Spec
        private CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            GruStreamConfig settings = config.load(Map.of());
            String topic = settings.getString(GruStreamConfig.MODEL_TOPIC);
            if (topic.isBlank()) {
                throw new IllegalArgumentException("model.topic is not set: set it (GRU_STREAM_MODEL_TOPIC, or"
                        + " --set model.topic=...) to the topic the instances follow");
            }
            Optional<Short> replicas = replication(settings);
            GruModel model = ModelSource.load(file);
            String followed = settings.getString(GruStreamConfig.MODEL_NAME);
            if (!followed.isEmpty() && !followed.equals(model.spec().name())) {
                throw new IllegalArgumentException("the model is named '" + model.spec().name() + "' but model.name"
                        + " is '" + followed + "': instances with these settings follow only that name and would skip"
                        + " it; publish with the model.name they use");
            }
            // Before connecting: a model that cannot step needs no broker to be refused. On the Java backend, which
            // runs anywhere: the native one may not load on the machine that publishes.
            ModelSwitch.trialStep(model, Backend.JAVA).ifPresent(problem -> {
                throw new IllegalArgumentException("the instances would refuse the model: " + problem);
            });
            byte[] zip = ModelTopic.zipOf(file);
            int maxBytes = settings.getInt(GruStreamConfig.MODEL_TOPIC_MAX_BYTES);
            ModelTopic.checkSize(zip, maxBytes);
            GruModel starting = skipInstanceCheck ? null : startingModel(settings);
            boolean created = ModelTopic.ensure(settings.passThrough(), topic, maxBytes, createTopic, replicas);
            if (!skipInstanceCheck) {
                checkTheInstancesTakeIt(settings, topic, followed, starting, model);
            }
            // A topic just created has one partition, and brokers may not describe it yet.
            if (followed.isEmpty() && !created) {
                ModelTopic.checkOnePartitionHoldsModels(settings.passThrough(), topic, model.spec().name());
            }
            RecordMetadata written = ModelTopic.publish(settings.passThrough(), topic, zip, model, maxBytes);
            spec.commandLine().getOut().printf(Locale.ROOT, "Published model %s/%s (%d bytes) to %s-%d@%d%n",
                    model.spec().name(), model.spec().version(), zip.length, written.topic(), written.partition(),
                    written.offset());
            return 0;
        }

        /** The model instances with these settings start with, read before connecting to anything. */
        private static GruModel startingModel(GruStreamConfig settings) {
            try {
                return ModelSource.load(settings);
            } catch (RuntimeException e) {
                throw new IllegalArgumentException("cannot read here the model the instances start with ("
                        + ModelSource.describe(settings) + "), which the model is checked against: " + e.getMessage()
                        + ". Publish with the instances' settings where model.path can be read, or pass"
                        + " --skip-instance-check", e);
            }
        }

        /** The models topic's replicas if it is created here: --replication-factor, else replication.factor. */
        private Optional<Short> replication(GruStreamConfig settings) {
            if (replicationFactor != null && !createTopic) {
                throw new IllegalArgumentException("--replication-factor applies only with --create-topic");
            }
            if (replicationFactor != null && replicationFactor < 1) {
                throw new IllegalArgumentException("--replication-factor must be at least 1, found "
                        + replicationFactor);
            }
            return TopicCreation.replicasOf(replicationFactor, settings.passThrough());
        }

        /**
         * Refuses a model that instances with these settings would refuse, as each of them checks it: against the
         * model it serves (the newest valid one in the topic it follows, else {@code model.path} or the bundled
         * model). A refused model would stay newest in the topic, and once compaction has removed the model before
         * it, an instance that starts later would serve neither. Steps are tried on the Java backend.
         */
        private void checkTheInstancesTakeIt(GruStreamConfig settings, String topic, String followed,
                GruModel starting, GruModel model) {
            ModelSwitch instance = ModelSwitch.unlogged(starting, ModelSource.describe(settings), Backend.JAVA);
            try (ModelTopicWatcher watcher = new ModelTopicWatcher(settings.passThrough(), topic, followed, instance,
                    "gru-stream-model-publish")) {
                watcher.catchUp(Duration.ofMillis(settings.getLong(GruStreamConfig.MODEL_TOPIC_CATCHUP_TIMEOUT_MS)));
                watcher.deferredSource().ifPresent(source -> {
                    throw new IllegalArgumentException("the model at " + source + " could not be loaded here to"
                            + " check against (a temporary copy of it cannot be written in java.io.tmpdir; give the"
                            + " JVM a writable one with -Djava.io.tmpdir=DIR in GRU_STREAM_JAVA_OPTS, or in"
                            + " JDK_JAVA_OPTIONS for a DIR with spaces)");
                });
            }
            ModelSpec serving = instance.active().spec();
            instance.refusal(model).ifPresent(problem -> {
                throw new IllegalArgumentException("an instance with these settings serves " + serving.name() + "/"
                        + serving.version() + " (from " + instance.snapshot().source() + ") and would refuse the"
                        + " model: " + problem);
            });
            if (instance.serves(model.spec())) {
                String served = ModelWriter.fingerprint(instance.active());
                String offered = ModelWriter.fingerprint(model);
                if (!served.equals(offered)) {
                    // Running instances would keep their model, and one that starts once compaction has removed the
                    // older record would serve this one: two models under one version, and different forecasts.
                    throw new IllegalArgumentException("the instances serve " + serving.name() + "/"
                            + serving.version() + " (from " + instance.snapshot().source() + ", fingerprint " + served
                            + ") and this model has that name and version but other contents (fingerprint " + offered
                            + "): running instances would keep theirs and instances started later would take this"
                            + " one; give it a new version (train --model-version, or leave that out for its"
                            + " fingerprint)");
                }
                spec.commandLine().getErr().printf(Locale.ROOT, "Note: the instances already serve %s/%s, this very"
                        + " model; publishing it again changes nothing they serve%n", serving.name(),
                        serving.version());
            }
        }
    }
}
