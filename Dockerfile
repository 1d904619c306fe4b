# Inflight operator image. Build: docker build -t inflight:dev .
# Multi-stage: the build stage needs a JDK and Maven; the runtime stage only a JRE.
FROM eclipse-temurin:17-jdk AS build
WORKDIR /src
COPY mvnw pom.xml ./
COPY .mvn .mvn
RUN ./mvnw -B -q -ntp dependency:go-offline
COPY src src
COPY examples examples
COPY deploy deploy
RUN ./mvnw -B -q -ntp -o package -DskipTests -Dspotless.check.skip=true

FROM eclipse-temurin:17-jre
# A fixed, unprivileged user; the image works with readOnlyRootFilesystem (only /tmp is written).
RUN groupadd --gid 10001 inflight && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin inflight
COPY --from=build /src/target/inflight.jar /opt/inflight/inflight.jar
USER 10001:10001
ENV JAVA_TOOL_OPTIONS="-XX:MaxRAMPercentage=75 -XX:+ExitOnOutOfMemoryError -Djava.io.tmpdir=/tmp"
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/inflight/inflight.jar"]
CMD ["operator"]
