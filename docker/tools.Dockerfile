# gru-stream's tools image: the service's commands plus demo, generate, backtest, nab-eval, bench, soak and broker.
# The compose file's generator runs it. Build it from the repository root:
#   docker build -f docker/tools.Dockerfile -t gru-stream-tools .

FROM maven:3.9.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml ./
COPY schemas/ schemas/
COPY streams-app/pom.xml streams-app/
COPY streams-app/src/main/ streams-app/src/main/
COPY tools/pom.xml tools/
COPY tools/src/main/ tools/src/main/
# -DskipTests, not -Dmaven.test.skip: tools' tests depend on the service's test jar, which Maven resolves even when
# tests are skipped and does not make under maven.test.skip (an empty one is made here: no test sources are copied).
RUN mvn -B -ntp -pl tools -am -DskipTests package

FROM eclipse-temurin:17-jre-jammy
RUN groupadd --system --gid 10001 gru \
    && useradd --system --uid 10001 --gid gru --create-home --home-dir /home/gru --shell /usr/sbin/nologin gru
WORKDIR /app
COPY --from=build /src/tools/target/lib/ /app/lib/
COPY --from=build /src/tools/target/gru-stream-tools.jar /app/gru-stream-tools.jar
USER gru
# One OpenBLAS thread per call (model.backend=nd4j), as the service image and the launcher set: bench and soak measure
# with it, and OpenBLAS would otherwise start a thread per host core, blind to the container's CPU limit.
ENV OMP_NUM_THREADS=1
# Relative paths (backtest --output out.csv, nab-eval --output dir) land in the user's home, which it may write.
WORKDIR /home/gru
ENTRYPOINT ["java", "-XX:MaxRAMPercentage=75", "-XX:+ExitOnOutOfMemoryError", \
    "-cp", "/app/gru-stream-tools.jar:/app/lib/*", "dev.grustream.cli.GruStreamTools"]
CMD ["--help"]
