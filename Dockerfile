# Inflight operator image. Build: docker build -t inflight:dev .
# Multi-stage: the build stage needs a JDK and Maven; the runtime stage only a JRE and the operator
# module's jar (the engine and the reconciler: no PostgreSQL binaries, no lab, no demo; the workload
# module is built only because the core tests it supports are compiled).
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
COPY inflight-core/pom.xml inflight-core/
COPY inflight-workload/pom.xml inflight-workload/
COPY inflight-operator/pom.xml inflight-operator/
COPY inflight-cli/pom.xml inflight-cli/
COPY inflight-lab/pom.xml inflight-lab/
COPY inflight-core/src inflight-core/src
COPY inflight-workload/src inflight-workload/src
COPY inflight-operator/src inflight-operator/src
COPY examples examples
COPY deploy deploy
RUN ./mvnw -B -q -ntp -pl inflight-operator -am package -DskipTests -Dspotless.check.skip=true

FROM eclipse-temurin:17-jre
# A fixed, unprivileged user; the image works with readOnlyRootFilesystem (only /tmp is written).
RUN groupadd --gid 10001 inflight && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin inflight
COPY --from=build /src/inflight-operator/target/inflight-operator.jar /opt/inflight/inflight-operator.jar
USER 10001:10001
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/inflight/inflight-operator.jar"]
