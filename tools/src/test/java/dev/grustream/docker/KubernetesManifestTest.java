package dev.grustream.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.grustream.cli.GruStreamCommand;
import dev.grustream.config.ConfigSources;
import dev.grustream.config.GruStreamConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;

/**
 * {@code docker/kubernetes.yaml} cannot be applied here (no cluster), so it is checked for what can be checked: its
 * settings are known and valid, each instance advertises a name its headless Service gives it, the probes, Services and
 * Prometheus annotations ask the instances' HTTP port, the state directory is in the image's state volume, which its
 * user may write, the memory limit leaves RocksDB its share beside the image's heap, the pod meets Pod Security's
 * restricted profile, and the topics it creates are replicated.
 */
class KubernetesManifestTest {
    private static final String MANIFEST = "docker/kubernetes.yaml";
    private static final String POD = "gru-stream-0";

    private final List<JsonNode> documents = DockerFiles.yamlDocuments(MANIFEST);
    private final JsonNode statefulSet = only("StatefulSet");
    private final JsonNode pod = statefulSet.at("/spec/template");
    private final JsonNode container = pod.at("/spec/containers/0");

    @Test
    void everyGruStreamVariableSetsAKnownKey() throws IOException {
        Set<String> known = DockerFiles.knownKeys();
        Set<String> logging = DockerFiles.loggingVariables();

        environment().keySet().stream().filter(name -> name.startsWith(ConfigSources.ENV_PREFIX))
                .filter(name -> !logging.contains(name) && !ConfigSources.LAUNCHER_VARIABLES.contains(name))
                .map(ConfigSources::keyOf)
                .forEach(key -> assertThat(known.contains(key) || isTopicSetting(key)).as(key).isTrue());
    }

    @Test
    void eachInstanceAdvertisesItsNameInTheHeadlessService() {
        JsonNode headless = service(statefulSet.at("/spec/serviceName").asText());

        assertThat(headless.at("/spec/clusterIP").asText()).isEqualTo("None");
        assertThat(headless.at("/spec/publishNotReadyAddresses").asBoolean()).isTrue();
        assertThat(config().advertisedHost()).isEqualTo(POD + "." + headless.at("/metadata/name").asText());
    }

    @Test
    void theServicesAndTheDisruptionBudgetSelectTheInstances() {
        JsonNode labels = pod.at("/metadata/labels");
        List<JsonNode> selectors = new ArrayList<>();
        documents.stream().filter(d -> d.path("kind").asText().equals("Service"))
                .forEach(s -> selectors.add(s.at("/spec/selector")));
        selectors.add(statefulSet.at("/spec/selector/matchLabels"));
        selectors.add(only("PodDisruptionBudget").at("/spec/selector/matchLabels"));
        selectors.add(pod.at("/spec/topologySpreadConstraints/0/labelSelector/matchLabels"));


        assertThat(selectors).hasSize(5).allSatisfy(selector -> {
            assertThat(selector.size()).isPositive();
            selector.properties().forEach(label -> assertThat(labels.path(label.getKey()).asText())
                    .as(label.getKey()).isEqualTo(label.getValue().asText()));
        });
        assertThat(only("PodDisruptionBudget").at("/spec/maxUnavailable").asInt()).isEqualTo(1);
    }

    @Test
    void theProbesServicesAndScrapeAskTheHttpPort() {
        int httpPort = config().getInt(GruStreamConfig.HTTP_PORT);
        JsonNode port = container.at("/ports/0");

        assertThat(port.at("/containerPort").asInt()).isEqualTo(httpPort);
        String portName = port.at("/name").asText();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo(portName);
        }
        documents.stream().filter(d -> d.path("kind").asText().equals("Service")).forEach(s ->
                assertThat(s.at("/spec/ports/0/targetPort").asText()).isEqualTo(portName));
        JsonNode annotations = pod.at("/metadata/annotations");
        assertThat(annotations.path("prometheus.io/scrape").asText()).isEqualTo("true");
        assertThat(annotations.path("prometheus.io/port").asText()).isEqualTo(String.valueOf(httpPort));
        assertThat(annotations.path("prometheus.io/path").asText()).isEqualTo("/metrics");
    }

    @Test
    void livenessAndStartupAskTheLivenessEndpointAndReadinessTheReadinessOne() {
        assertThat(container.at("/startupProbe/httpGet/path").asText()).isEqualTo("/health/live");
        assertThat(container.at("/livenessProbe/httpGet/path").asText()).isEqualTo("/health/live");
        assertThat(container.at("/readinessProbe/httpGet/path").asText()).isEqualTo("/health/ready");
    }

    @Test
    void theStateDirectoryIsInTheStateVolumeAndItsUserMayWriteIt() throws IOException {
        String stateDir = DockerFiles.dockerfile().stream().filter(i -> i.keyword().equals("VOLUME")).findFirst()
                .orElseThrow().arguments();
        String dockerfile = Files.readString(DockerFiles.root().resolve("docker/Dockerfile"));
        Matcher uid = Pattern.compile("useradd [^\\n]*--uid (\\d+)").matcher(dockerfile);
        Matcher gid = Pattern.compile("groupadd [^\\n]*--gid (\\d+)").matcher(dockerfile);
        assertThat(uid.find()).isTrue();
        assertThat(gid.find()).isTrue();
        String volume = statefulSet.at("/spec/volumeClaimTemplates/0/metadata/name").asText();

        assertThat(container.get("volumeMounts")).anySatisfy(mount -> {
            assertThat(mount.path("name").asText()).isEqualTo(volume);
            assertThat(mount.path("mountPath").asText()).isEqualTo(stateDir);
        });
        assertThat(pod.at("/spec/securityContext/runAsUser").asText()).isEqualTo(uid.group(1));
        assertThat(pod.at("/spec/securityContext/runAsGroup").asText()).isEqualTo(gid.group(1));
        assertThat(pod.at("/spec/securityContext/fsGroup").asText()).isEqualTo(gid.group(1));
        // Inside the volume, not its root, which the user cannot set the permissions of.
        assertThat(environment().get(ConfigSources.ENV_PREFIX + "STATE_DIR")).startsWith(stateDir + "/");
    }

    @Test
    void theMemoryLimitHoldsTheImagesHeapAndRocksDbsShare() {
        String entrypoint = DockerFiles.dockerfile().stream().filter(i -> i.keyword().equals("ENTRYPOINT"))
                .findFirst().orElseThrow().arguments();
        Matcher percent = Pattern.compile("-XX:MaxRAMPercentage=(\\d+)").matcher(entrypoint);
        assertThat(percent.find()).isTrue();
        long limit = mebibytes(container.at("/resources/limits/memory").asText());
        long heap = limit * Long.parseLong(percent.group(1)) / 100;
        long rocksDb = config().getLong(GruStreamConfig.STATE_ROCKSDB_MEMORY_BYTES) >> 20;

        // What is left beside the heap and RocksDB is the JVM's own: threads, metaspace, buffers, ND4J.
        assertThat(limit - heap - rocksDb).isGreaterThanOrEqualTo(256);
        assertThat(container.at("/resources/requests/memory").asText())
                .isEqualTo(container.at("/resources/limits/memory").asText());
        assertThat(environment().get("GRU_STREAM_JAVA_OPTS")).contains("-XX:+UseG1GC");
    }

    @Test
    void aStoppingInstancePausesForItsEndpointsToGoWithinItsTimeToClose() {
        JsonNode preStop = container.at("/lifecycle/preStop/exec/command");

        assertThat(preStop.isArray()).as("a preStop command").isTrue();
        assertThat(preStop.get(0).asText()).isEqualTo("sleep");
        assertThat(preStop.get(1).asInt()).isPositive();
        assertThat(pod.at("/spec/terminationGracePeriodSeconds").asInt())
                .isGreaterThanOrEqualTo(60 + preStop.get(1).asInt());
    }

    @Test
    void theInstancesHaveTimeToCloseCleanlyAndNoServiceLinkVariables() {
        assertThat(pod.at("/spec/terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(50);
        assertThat(pod.at("/spec/enableServiceLinks").isBoolean()).isTrue();
        assertThat(pod.at("/spec/enableServiceLinks").asBoolean()).isFalse();
    }

    @Test
    void itRunsAsPodSecuritysRestrictedProfileAsks() {
        JsonNode podSecurity = pod.at("/spec/securityContext");
        JsonNode containerSecurity = container.get("securityContext");

        assertThat(podSecurity.path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(podSecurity.at("/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
        assertThat(containerSecurity.path("allowPrivilegeEscalation").isBoolean()).isTrue();
        assertThat(containerSecurity.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(containerSecurity.at("/capabilities/drop/0").asText()).isEqualTo("ALL");
    }

    @Test
    void onlyTheInstancesPrometheusAndLabelledClientsReachTheHttpPort() {
        JsonNode policy = only("NetworkPolicy");
        JsonNode instances = pod.at("/metadata/labels");

        assertThat(policy.at("/spec/podSelector/matchLabels")).isEqualTo(instances);
        assertThat(policy.at("/spec/policyTypes")).extracting(JsonNode::asText).containsExactly("Ingress");
        JsonNode rule = policy.at("/spec/ingress/0");
        assertThat(policy.at("/spec/ingress")).hasSize(1);
        assertThat(rule.at("/ports/0/port").asText()).isEqualTo(container.at("/ports/0/name").asText());
        assertThat(rule.get("from")).extracting(from -> from.at("/podSelector/matchLabels"))
                .contains(instances).hasSize(3);
    }

    @Test
    void theInstancesHaveNoServiceAccountToken() {
        assertThat(pod.at("/spec/automountServiceAccountToken").isBoolean()).isTrue();
        assertThat(pod.at("/spec/automountServiceAccountToken").asBoolean()).isFalse();
    }

    @Test
    void theTopicsItMakesAreReplicatedAndItFollowsAModelsTopic() {
        List<String> args = args();
        Map<String, String> settings = ConfigSources.fromEnvironment(environment());

        assertThat(args).contains("--create-topics");
        assertThat(Integer.parseInt(args.get(args.indexOf("--replication-factor") + 1))).isGreaterThanOrEqualTo(3);
        assertThat(settings.get(StreamsConfig.TOPIC_PREFIX + TopicConfig.MIN_IN_SYNC_REPLICAS_CONFIG)).isEqualTo("2");
        assertThat(config().getString(GruStreamConfig.MODEL_TOPIC)).isNotBlank();
    }

    @Test
    void theCommandLineParsesInTheImage() {
        List<String> args = args();

        assertThat(args.get(0)).isEqualTo("run");
        assertThatCode(() -> GruStreamCommand.commandLine().parseArgs(args.toArray(String[]::new)))
                .doesNotThrowAnyException();
    }

    /** The command line the container gives the image. */
    private List<String> args() {
        List<String> args = new ArrayList<>();
        container.get("args").forEach(arg -> args.add(arg.asText()));
        return args;
    }

    /** The container's variables as a pod named {@value #POD} sees them, {@code $(NAME)} references expanded. */
    private Map<String, String> environment() {
        Map<String, String> env = new LinkedHashMap<>();
        for (JsonNode variable : container.get("env")) {
            String name = variable.get("name").asText();
            if (variable.at("/valueFrom/fieldRef/fieldPath").asText().equals("metadata.name")) {
                env.put(name, POD);
                continue;
            }
            String value = variable.get("value").asText();
            for (Map.Entry<String, String> earlier : env.entrySet()) {
                value = value.replace("$(" + earlier.getKey() + ")", earlier.getValue());
            }
            env.put(name, value);
        }
        return env;
    }

    /** Whether {@code key} is a topic setting Kafka Streams gives its internal topics ({@code topic.} and a name). */
    private static boolean isTopicSetting(String key) {
        if (!key.startsWith(StreamsConfig.TOPIC_PREFIX)) {
            return false;
        }
        String name = key.substring(StreamsConfig.TOPIC_PREFIX.length());
        return Arrays.stream(TopicConfig.class.getFields()).filter(f -> f.getName().endsWith("_CONFIG"))
                .anyMatch(f -> {
                    try {
                        return name.equals(f.get(null));
                    } catch (IllegalAccessException e) {
                        throw new IllegalStateException(e);
                    }
                });
    }

    private GruStreamConfig config() {
        return new GruStreamConfig(ConfigSources.fromEnvironment(environment()));
    }

    private JsonNode only(String kind) {
        List<JsonNode> found = documents.stream().filter(d -> d.path("kind").asText().equals(kind)).toList();
        assertThat(found).as(kind).hasSize(1);
        return found.get(0);
    }

    private JsonNode service(String name) {
        return documents.stream().filter(d -> d.path("kind").asText().equals("Service"))
                .filter(d -> d.at("/metadata/name").asText().equals(name)).findFirst().orElseThrow();
    }

    private static long mebibytes(String quantity) {
        assertThat(quantity).endsWith("Mi");
        return Long.parseLong(quantity.substring(0, quantity.length() - 2));
    }
}
