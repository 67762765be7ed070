package dev.grustream.cli;

import dev.grustream.embedded.EmbeddedKafkaCluster;
import dev.grustream.serde.InMemorySchemaRegistryServer;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code gru-stream broker}: a single-node Kafka cluster (KRaft) in this process on a fixed port, and optionally a
 * schema registry in memory, until stopped. For trying {@code gru-stream run} against a "real" broker and registry,
 * and for {@code bench}, which runs it in a separate JVM so that the broker's CPU and memory are not counted as the
 * application's.
 */
@Command(name = "broker",
        header = "Runs a single-node Kafka cluster (KRaft) in this process.",
        mixinStandardHelpOptions = true,
        description = {"Runs a single-node Kafka cluster (KRaft, Kafka's own code) on localhost:PORT until stopped.",
                "Its data lives in a temporary directory deleted on exit; the registry's schemas, with --registry-port,"
                        + " in memory until then."})
final class BrokerCommand implements Callable<Integer> {
    /** Printed on stdout once the broker (and the registry) accept clients; {@code bench} waits for it. */
    static final String READY = "gru-stream broker ready on ";
    /** Printed on stdout before {@link #READY}, with the registry's URL, when one is served. */
    static final String REGISTRY = "gru-stream schema registry on ";

    @Spec
    CommandSpec spec;

    @Option(names = "--port", defaultValue = "9092",
            description = "Port of the client listener (default: ${DEFAULT-VALUE}).")
    int port;

    @Option(names = "--transaction-version", defaultValue = "1", paramLabel = "N",
            description = "Transaction protocol version (feature transaction.version) of the cluster: 1 (default) or "
                    + "2, KIP-890's protocol and the default of new Kafka 4 clusters (see docs/development.md).")
    short transactionVersion;

    @Option(names = "--registry-port", defaultValue = "0", paramLabel = "PORT",
            description = "Also serve a schema registry (Confluent's REST API, schemas kept in memory) on"
                    + " localhost:PORT, for run's schema.registry.url (0: none, the default).")
    int registryPort;

    @Override
    public Integer call() throws Exception {
        try (StopSignal stop = new StopSignal("broker-shutdown", Duration.ofSeconds(30));
                InMemorySchemaRegistryServer registry = registryPort > 0
                        ? InMemorySchemaRegistryServer.start(registryPort) : null;
                EmbeddedKafkaCluster kafka = EmbeddedKafkaCluster.builder().hostPort(port)
                        .transactionVersion(transactionVersion).start()) {
            PrintWriter out = spec.commandLine().getOut();
            if (registry != null) {
                out.println(REGISTRY + registry.url());
            }
            out.println(READY + kafka.bootstrapServers().split(",")[0]);
            out.flush();
            stop.await();
        }
        return 0;
    }
}
