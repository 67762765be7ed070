package dev.grustream.docker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.grustream.cli.GruStreamCommand;
import dev.grustream.cli.GruStreamTools;
import dev.grustream.config.ConfigSources;
import dev.grustream.config.GruStreamConfig;
import dev.grustream.docker.DockerFiles.Instruction;
import dev.grustream.topology.DeadLetterReason;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;

/**
 * The container files cannot run here (no Docker engine), so they are checked for what can be checked: every
 * setting they pass is a key gru-stream knows and accepts, the ports agree with {@code http.port}, Prometheus
 * scrapes the instances where they serve metrics, and the Dockerfile's inputs exist.
 */
class DockerFilesTest {
    /** Commands the compose file uses that the lead is adding to the CLI; drop one here once it exists. */
    private static final List<String> INSTANCES = List.of("gru-stream-1", "gru-stream-2");

    private final JsonNode compose = DockerFiles.yaml("docker/compose.yaml");
    private final JsonNode services = compose.get("services");

    /** Services built from gru-stream's Dockerfile. */
    private List<String> gruStreamServices() {
        List<String> names = new ArrayList<>();
        for (Map.Entry<String, JsonNode> service : services.properties()) {
            JsonNode build = service.getValue().get("build");
            if (build != null && build.path("dockerfile").asText().startsWith("docker/")) {
                names.add(service.getKey());
            }
        }
        return names;
    }

    private Map<String, String> environment(String service) {
        Map<String, String> env = new LinkedHashMap<>();
        services.get(service).path("environment").properties().forEach(e -> env.put(e.getKey(),
                e.getValue().asText()));
        return env;
    }

    private static int defaultHttpPort() {
        return (Integer) GruStreamConfig.definition().configKeys().get(GruStreamConfig.HTTP_PORT).defaultValue;
    }

    @Test
    void composeRunsTwoInstancesAGeneratorKafkaSchemaRegistryPrometheusAndGrafana() {
        assertThat(gruStreamServices()).containsExactlyInAnyOrder("gru-stream-1", "gru-stream-2", "generator");
        assertThat(services.get("kafka").get("image").asText()).startsWith("apache/kafka:");
        assertThat(services.get("kafka").get("environment").get("KAFKA_PROCESS_ROLES").asText())
                .isEqualTo("broker,controller");
        assertThat(services.get("schema-registry").get("image").asText())
                .startsWith("confluentinc/cp-schema-registry:");
        assertThat(services.get("prometheus").get("image").asText()).startsWith("prom/prometheus:");
    }

    @Test
    void composeKeepsKafkasDataAndGivesEachInstanceAStandbyAndRoomForRocksDb() {
        JsonNode kafka = services.get("kafka");
        String logDirs = kafka.get("environment").get("KAFKA_LOG_DIRS").asText();
        assertThat(kafka.get("volumes")).anySatisfy(volume -> assertThat(volume.asText()).endsWith(":" + logDirs));
        for (String instance : INSTANCES) {
            GruStreamConfig config = new GruStreamConfig(ConfigSources.fromEnvironment(environment(instance)));
            assertThat(config.passThrough().get(StreamsConfig.NUM_STANDBY_REPLICAS_CONFIG)).as(instance)
                    .isEqualTo("1");
            assertThat(services.get(instance).get("mem_limit")).as(instance).isNotNull();
            // Below 1,792 MiB the JVM would choose the serial collector; the image leaves the choice to the user.
            assertThat(environment(instance).get("GRU_STREAM_JAVA_OPTS")).as(instance).contains("-XX:+UseG1GC");
        }
        assertThat(only(DockerFiles.dockerfile(), "ENTRYPOINT").arguments()).contains("-XX:MaxRAMPercentage=50",
                "${GRU_STREAM_JAVA_OPTS:-}");
    }

    @Test
    void grafanaReadsPrometheusAndItsDashboardQueriesOnlyDocumentedMeters() throws IOException {
        JsonNode grafana = services.get("grafana");
        assertThat(grafana.get("image").asText()).startsWith("grafana/grafana:");
        JsonNode datasource = DockerFiles.yaml("docker/grafana/provisioning/datasources/prometheus.yaml")
                .get("datasources").get(0);
        assertThat(datasource.get("url").asText()).isEqualTo("http://prometheus:9090");
        String dashboard = Files.readString(DockerFiles.root().resolve("docker/grafana/dashboards/gru-stream.json"));
        JsonNode panels = new ObjectMapper().readTree(dashboard).get("panels");
        String documented = Files.readString(DockerFiles.root().resolve("docs/operations.md"));
        Set<String> meters = new HashSet<>();
        panels.forEach(panel -> panel.get("targets").forEach(target -> {
            Matcher name = Pattern.compile("gru_[a-z_]+?(?=_bucket|_sum|_count|\\b)").matcher(target.get("expr")
                    .asText());
            while (name.find()) {
                meters.add(name.group());
            }
        }));
        assertThat(panels).hasSizeGreaterThanOrEqualTo(6);
        assertThat(meters).contains("gru_watched_value", "gru_dead_letters_total", "gru_forecast_lag_seconds")
                .allSatisfy(meter -> assertThat(documented).as(meter).contains("`" + meter));
    }

    /** Grafana matches an override to a series by its displayed name: the legend, when a query sets one. */
    @Test
    void everySeriesADashboardOverrideNamesIsALegendOfItsPanel() throws IOException {
        String dashboard = Files.readString(DockerFiles.root().resolve("docker/grafana/dashboards/gru-stream.json"));
        List<String> named = new ArrayList<>();
        new ObjectMapper().readTree(dashboard).get("panels").forEach(panel -> {
            Set<String> legends = new HashSet<>();
            panel.get("targets").forEach(target -> legends.add(target.path("legendFormat").asText()));
            panel.path("fieldConfig").path("overrides").forEach(override -> {
                if (override.get("matcher").get("id").asText().equals("byName")) {
                    named.add(override.get("matcher").get("options").asText());
                    assertThat(legends).as("panel %s", panel.get("title")).contains(
                            override.get("matcher").get("options").asText());
                }
                override.get("properties").forEach(property -> {
                    if (property.get("id").asText().equals("custom.fillBelowTo")) {
                        assertThat(legends).as("panel %s", panel.get("title")).contains(property.get("value").asText());
                    }
                });
            });
        });
        assertThat(named).contains("upper", "lower");
    }

    @Test
    void everyGruStreamVariableSetsAKnownKey() throws IOException {
        Set<String> known = DockerFiles.knownKeys();
        Set<String> logging = DockerFiles.loggingVariables();
        for (String service : gruStreamServices()) {
            environment(service).keySet().stream().filter(name -> name.startsWith(ConfigSources.ENV_PREFIX))
                    .filter(name -> !logging.contains(name) && !ConfigSources.LAUNCHER_VARIABLES.contains(name))
                    .forEach(name -> assertThat(known).as("%s of %s sets %s", name, service,
                            ConfigSources.keyOf(name)).contains(ConfigSources.keyOf(name)));
        }
    }

    @Test
    void theInstancesSettingsAreValid() {
        for (String instance : INSTANCES) {
            GruStreamConfig config = new GruStreamConfig(ConfigSources.fromEnvironment(environment(instance)));
            assertThat(config.getString(GruStreamConfig.MODEL_TOPIC)).as(instance).isNotBlank();
        }
    }

    @Test
    void theInstancesShareOneApplicationIdAndAdvertiseTheirOwnNames() {
        Set<String> applicationIds = new HashSet<>();
        for (String instance : INSTANCES) {
            Map<String, Object> settings = new LinkedHashMap<>(ConfigSources.fromEnvironment(environment(instance)));
            applicationIds.add((String) settings.get(StreamsConfig.APPLICATION_ID_CONFIG));
            GruStreamConfig config = new GruStreamConfig(settings);
            assertThat(config.advertisedHost()).as(instance).isEqualTo(instance);
            assertThat(services.get(instance).get("hostname").asText()).isEqualTo(instance);
        }
        assertThat(applicationIds).hasSize(1).doesNotContainNull();
    }

    @Test
    void eachInstancePublishesItsHttpPort() {
        Set<String> hostPorts = new HashSet<>();
        for (String instance : INSTANCES) {
            int httpPort = new GruStreamConfig(ConfigSources.fromEnvironment(environment(instance)))
                    .getInt(GruStreamConfig.HTTP_PORT);
            JsonNode ports = services.get(instance).get("ports");
            assertThat(ports).as(instance).hasSize(1);
            String[] mapping = ports.get(0).asText().split(":");
            assertThat(Integer.parseInt(mapping[2])).as(instance).isEqualTo(httpPort);
            hostPorts.add(mapping[1]);
        }
        assertThat(hostPorts).as("distinct host ports").hasSize(INSTANCES.size());
    }

    /** Nothing in the file authenticates (Kafka's PLAINTEXT listener, the registry, the queries, Grafana's admin). */
    @Test
    void everyPortIsPublishedOnTheHostsLoopbackOnly() {
        List<String> published = new ArrayList<>();
        services.forEach(service -> service.path("ports").forEach(port -> published.add(port.asText())));
        assertThat(published).hasSizeGreaterThanOrEqualTo(6).allMatch(port -> port.startsWith("127.0.0.1:"));
    }

    @Test
    void prometheusScrapesEveryInstanceWhereItServesMetrics() {
        JsonNode job = DockerFiles.yaml("docker/prometheus.yml").get("scrape_configs").get(0);
        List<String> targets = new ArrayList<>();
        job.get("static_configs").get(0).get("targets").forEach(t -> targets.add(t.asText()));

        assertThat(job.get("metrics_path").asText()).isEqualTo("/metrics");
        List<String> expected = INSTANCES.stream().map(instance -> instance + ":" + new GruStreamConfig(
                ConfigSources.fromEnvironment(environment(instance))).getInt(GruStreamConfig.HTTP_PORT)).toList();
        assertThat(targets).containsExactlyInAnyOrderElementsOf(expected);
        assertThat(services.get("prometheus").get("volumes").get(0).asText())
                .startsWith("./prometheus.yml:/etc/prometheus/prometheus.yml");
    }

    @Test
    void prometheusLoadsAlertRulesOnDocumentedMeters() throws IOException {
        assertThat(DockerFiles.yaml("docker/prometheus.yml").get("rule_files").get(0).asText())
                .isEqualTo("/etc/prometheus/alerts.yml");
        List<String> volumes = new ArrayList<>();
        services.get("prometheus").get("volumes").forEach(volume -> volumes.add(volume.asText()));
        assertThat(volumes).contains("./alerts.yml:/etc/prometheus/alerts.yml:ro");
        String documented = Files.readString(DockerFiles.root().resolve("docs/operations.md"));
        String job = DockerFiles.yaml("docker/prometheus.yml").get("scrape_configs").get(0).get("job_name").asText();
        Set<String> reasons = new HashSet<>();
        for (DeadLetterReason reason : DeadLetterReason.values()) {
            reasons.add(reason.code());
        }
        Set<String> meters = new HashSet<>();
        DockerFiles.yaml("docker/alerts.yml").get("groups").get(0).get("rules").forEach(rule -> {
            assertThat(rule.get("alert").asText()).isNotBlank();
            assertThat(rule.at("/labels/severity").asText()).as("severity of %s", rule.get("alert").asText())
                    .isIn("critical", "warning");
            String expr = rule.get("expr").asText();
            Matcher name = Pattern.compile("gru_[a-z_]+").matcher(expr);
            while (name.find()) {
                meters.add(name.group());
            }
            Matcher label = Pattern.compile("(\\w+)=~?\"([^\"]*)\"").matcher(expr);
            while (label.find()) {
                if (label.group(1).equals("client_id")) {
                    // Kafka Streams names its clients <application.id>-<process id>-StreamThread-<n>-<role>.
                    assertThat("app-1f3c-StreamThread-2-consumer").matches(label.group(2));
                    assertThat("app-1f3c-StateUpdater-1-restore-consumer").doesNotMatch(label.group(2));
                    assertThat("app-1f3c-StreamThread-2-restore-consumer").doesNotMatch(label.group(2));
                    continue;
                }
                Set<String> known = switch (label.group(1)) {
                    case "job" -> Set.of(job);
                    case "reason" -> reasons;
                    case "cause" -> Set.of("outage", "failure");
                    case "outcome" -> Set.of("applied", "rejected", "deferred");
                    default -> Set.of();
                };
                assertThat(known).as("%s in %s", label.group(), rule.get("alert").asText())
                        .contains(label.group(2).split("\\|"));
            }
        });
        assertThat(meters).contains("gru_stream_threads_replaced_total", "gru_model_topic_errors_total")
                .allSatisfy(meter -> assertThat(documented).as(meter).contains("`" + meter));
    }

    @Test
    void everyAlertRuleLinksItsOwnSectionOfTheRunbookAndEverySectionHasItsRule() throws IOException {
        List<String> sections = Files.readAllLines(DockerFiles.root().resolve("docs/runbook.md")).stream()
                .filter(line -> line.startsWith("## ")).map(line -> line.substring(3)).toList();
        List<String> rules = new ArrayList<>();
        DockerFiles.yaml("docker/alerts.yml").get("groups").get(0).get("rules").forEach(rule -> {
            String name = rule.get("alert").asText();
            rules.add(name);
            assertThat(rule.at("/annotations/runbook_url").asText()).as("runbook_url of %s", name)
                    .isEqualTo("docs/runbook.md#" + name.toLowerCase(Locale.ROOT));
        });
        assertThat(sections).containsExactlyInAnyOrderElementsOf(rules);
    }

    @Test
    void everyCommandLineTheComposeFileRunsParsesInItsImage() {
        for (String service : gruStreamServices()) {
            List<String> args = new ArrayList<>();
            services.get(service).get("command").forEach(arg -> args.add(arg.asText()));
            boolean tools = services.get(service).get("build").get("dockerfile").asText().endsWith("tools.Dockerfile");
            CommandLine commandLine = tools ? GruStreamTools.commandLine() : GruStreamCommand.commandLine();
            assertThatCode(() -> commandLine.parseArgs(args.toArray(String[]::new)))
                    .as("%s runs gru-stream %s", service, args).doesNotThrowAnyException();
        }
    }

    @Test
    void theDockerfilesInputsExistAndAreNotIgnored() throws IOException {
        Path root = DockerFiles.root();
        List<PathMatcher> ignored = dockerIgnorePatterns(root);
        for (String dockerfile : List.of("docker/Dockerfile", "docker/tools.Dockerfile")) {
            for (Instruction copy : DockerFiles.dockerfile(dockerfile)) {
                if (!copy.keyword().equals("COPY") || copy.arguments().startsWith("--from")) {
                    continue;
                }
                String[] parts = copy.arguments().split("\\s+");
                for (int i = 0; i < parts.length - 1; i++) {
                    Path input = root.resolve(parts[i]);
                    assertThat(input).as("%s: COPY input %s", dockerfile, parts[i]).exists();
                    // Maven's output directories are made by the image's build, not copied into it.
                    try (Stream<Path> files = Files.walk(input)) {
                        files.map(root::relativize).filter(file -> !List.of(file.toString().split("/"))
                                .contains("target")).forEach(file -> assertThat(ignored)
                                .as("%s: .dockerignore keeps %s", dockerfile, file)
                                .noneMatch(pattern -> ignores(pattern, file)));
                    }
                }
            }
        }
    }

    /**
     * {@code .dockerignore}'s patterns as globs over paths relative to the context; a leading {@code **}{@code /}
     * also matches at the top, as Docker's does. Exceptions ({@code !}) are refused: this check does not read them.
     */
    private static List<PathMatcher> dockerIgnorePatterns(Path root) throws IOException {
        List<PathMatcher> patterns = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve(".dockerignore"))) {
            String pattern = line.strip();
            if (pattern.isEmpty() || pattern.startsWith("#")) {
                continue;
            }
            assertThat(pattern).as("an exception in .dockerignore, which this test does not read")
                    .doesNotStartWith("!");
            pattern = pattern.replaceAll("/+$", "");
            patterns.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern));
            if (pattern.startsWith("**/")) {
                patterns.add(FileSystems.getDefault().getPathMatcher("glob:" + pattern.substring(3)));
            }
        }
        return patterns;
    }

    /** Whether {@code pattern} leaves out {@code file} or a directory it lies in. */
    private static boolean ignores(PathMatcher pattern, Path file) {
        for (Path path = file; path != null; path = path.getParent()) {
            if (pattern.matches(path)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Maven resolves a module's test-scoped dependencies even when {@code maven.test.skip} is set, and that flag also
     * stops the reactor from making test jars; so a module that depends on another's test jar cannot be built with it
     * from an empty local repository, as an image's build is (checked by hand; {@code -DskipTests} makes the jar).
     */
    @Test
    void eachImageBuildMakesTheTestJarsItsModuleDependsOn() throws IOException {
        for (String file : List.of("docker/Dockerfile", "docker/tools.Dockerfile")) {
            Instruction build = DockerFiles.dockerfile(file).stream()
                    .filter(i -> i.keyword().equals("RUN") && i.arguments().startsWith("mvn "))
                    .findFirst().orElseThrow();
            Matcher module = Pattern.compile("-pl (\\S+)").matcher(build.arguments());
            assertThat(module.find()).as(file).isTrue();
            String pom = Files.readString(DockerFiles.root().resolve(module.group(1)).resolve("pom.xml"));
            if (pom.contains("<type>test-jar</type>")) {
                assertThat(build.arguments()).as(file).doesNotContain("maven.test.skip");
            }
        }
    }

    @Test
    void theInstancesRunUnderAnInitProcess() {
        for (String instance : INSTANCES) {
            assertThat(services.get(instance).path("init").asBoolean()).as(instance).isTrue();
        }
    }

    @Test
    void theInstancesRestartAfterAFailureAndHaveTimeToCloseCleanly() {
        for (String instance : INSTANCES) {
            JsonNode service = services.get(instance);
            assertThat(service.path("restart").asText()).as(instance).isEqualTo("on-failure");
            assertThat(Duration.parse("PT" + service.path("stop_grace_period").asText().toUpperCase(Locale.ROOT)))
                    .as(instance).isGreaterThanOrEqualTo(Duration.ofSeconds(50));
        }
    }

    @Test
    void theImageRunsTheJarTheBuildMakes() throws IOException {
        String pom = Files.readString(DockerFiles.root().resolve("streams-app/pom.xml"));
        Matcher finalName = Pattern.compile("<finalName>([^<]+)</finalName>").matcher(pom);
        assertThat(finalName.find()).isTrue();
        String jar = finalName.group(1) + ".jar";
        List<Instruction> instructions = DockerFiles.dockerfile();

        assertThat(instructions).anySatisfy(i -> assertThat(i.arguments())
                .startsWith("--from=build /src/streams-app/target/" + jar));
        assertThat(instructions).anySatisfy(i -> assertThat(i.arguments())
                .startsWith("--from=build /src/streams-app/target/lib/"));
        Instruction entrypoint = only(instructions, "ENTRYPOINT");
        assertThat(entrypoint.arguments()).contains("/app/" + jar + ":/app/lib/*",
                GruStreamCommand.class.getName());
        assertThat(only(instructions, "CMD").arguments()).isEqualTo("[\"run\"]");
    }

    @Test
    void theImageExposesTheHttpPortAndChecksLiveness() {
        List<Instruction> instructions = DockerFiles.dockerfile();

        assertThat(only(instructions, "EXPOSE").arguments()).isEqualTo(String.valueOf(defaultHttpPort()));
        assertThat(only(instructions, "HEALTHCHECK").arguments()).contains("/health/live",
                "${GRU_STREAM_HTTP_PORT:-" + defaultHttpPort() + "}");
    }

    @Test
    void theHealthCheckAsksTheAddressTheInstanceIsBoundTo() throws Exception {
        String check = only(DockerFiles.dockerfile(), "HEALTHCHECK").arguments();
        // What it does once it knows `run` is serving, with curl replaced by echo: the URL it would ask.
        String ask = check.substring(check.indexOf("|| exit 0;") + "|| exit 0;".length())
                .replace("curl -fsS --max-time 2", "echo").replace("> /dev/null || exit 1", "");

        assertThat(healthCheckUrl(ask, null)).isEqualTo("http://localhost:8080/health/live");
        assertThat(healthCheckUrl(ask, "0.0.0.0")).isEqualTo("http://localhost:8080/health/live");
        assertThat(healthCheckUrl(ask, "::")).isEqualTo("http://localhost:8080/health/live");
        assertThat(healthCheckUrl(ask, "[::]")).isEqualTo("http://localhost:8080/health/live");
        assertThat(healthCheckUrl(ask, "gru-stream-1")).isEqualTo("http://gru-stream-1:8080/health/live");
        assertThat(healthCheckUrl(ask, "10.1.2.3")).isEqualTo("http://10.1.2.3:8080/health/live");
        assertThat(healthCheckUrl(ask, "fe80::1")).isEqualTo("http://[fe80::1]:8080/health/live");
        assertThat(healthCheckUrl(ask, "[fe80::1]")).isEqualTo("http://[fe80::1]:8080/health/live");
        assertThat(healthCheckUrl(ask, null, "FALSE")).as("with HTTP off, nothing asked and healthy").isEmpty();
        assertThat(healthCheckUrl(ask, null, "true")).isEqualTo("http://localhost:8080/health/live");
    }

    private static String healthCheckUrl(String script, String bindAddress) throws Exception {
        return healthCheckUrl(script, bindAddress, null);
    }

    private static String healthCheckUrl(String script, String bindAddress, String httpEnabled) throws Exception {
        ProcessBuilder shell = new ProcessBuilder("sh", "-c", script).redirectErrorStream(true);
        shell.environment().remove("GRU_STREAM_HTTP_PORT");
        shell.environment().remove("GRU_STREAM_HTTP_BIND_ADDRESS");
        shell.environment().remove("GRU_STREAM_HTTP_ENABLED");
        if (bindAddress != null) {
            shell.environment().put("GRU_STREAM_HTTP_BIND_ADDRESS", bindAddress);
        }
        if (httpEnabled != null) {
            shell.environment().put("GRU_STREAM_HTTP_ENABLED", httpEnabled);
        }
        Process process = shell.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(output).isZero();
        return output;
    }

    @Test
    void theImageRunsAsANonRootUserWithAStateVolume() {
        List<Instruction> instructions = DockerFiles.dockerfile();
        Map<String, String> env = new LinkedHashMap<>();
        instructions.stream().filter(i -> i.keyword().equals("ENV")).forEach(i -> {
            String[] pair = i.arguments().split("=", 2);
            env.put(pair[0], pair[1]);
        });

        assertThat(only(instructions, "USER").arguments()).isNotIn("root", "0");
        String stateDir = new GruStreamConfig(ConfigSources.fromEnvironment(env)).passThrough()
                .get(StreamsConfig.STATE_DIR_CONFIG).toString();
        assertThat(only(instructions, "VOLUME").arguments()).isEqualTo(stateDir);
        assertThat(DockerFiles.knownKeys()).containsAll(ConfigSources.fromEnvironment(env).keySet());
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/tools.Dockerfile"})
    void eachImageWorksInItsUsersHome(String dockerfile) {
        List<Instruction> instructions = DockerFiles.dockerfile(dockerfile);
        List<String> workingDirectories = instructions.stream().filter(i -> i.keyword().equals("WORKDIR"))
                .map(Instruction::arguments).toList();

        assertThat(only(instructions, "USER").arguments()).isEqualTo("gru");
        assertThat(instructions).extracting(Instruction::arguments).anyMatch(arguments -> arguments.contains(
                "--home-dir /home/gru"));
        assertThat(workingDirectories.get(workingDirectories.size() - 1)).isEqualTo("/home/gru");
    }

    @ParameterizedTest
    @ValueSource(strings = {"docker/Dockerfile", "docker/tools.Dockerfile"})
    void eachImageRunsOneOpenBlasThreadPerCallAsTheLauncherDoes(String dockerfile) {
        assertThat(DockerFiles.dockerfile(dockerfile)).filteredOn(i -> i.keyword().equals("ENV"))
                .extracting(Instruction::arguments).contains("OMP_NUM_THREADS=1");
    }

    @Test
    void theServiceImageKeepsGlibcsMallocArenasFewOnAManyCoreNode() {
        assertThat(DockerFiles.dockerfile("docker/Dockerfile")).filteredOn(i -> i.keyword().equals("ENV"))
                .extracting(Instruction::arguments).contains("MALLOC_ARENA_MAX=2");
    }

    private static Instruction only(List<Instruction> instructions, String keyword) {
        List<Instruction> found = instructions.stream().filter(i -> i.keyword().equals(keyword)).toList();
        assertThat(found).as(keyword).hasSize(1);
        return found.get(0);
    }
}
