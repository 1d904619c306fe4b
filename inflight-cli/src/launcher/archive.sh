#!/bin/sh
# Run at package time (see inflight-cli/pom.xml): makes the class-data sharing archive
# target/inflight.jsa from a training run of the jar (dev.inflight.cli.StartupTraining) and puts
# the launcher target/inflight beside it. Never fails the build: without an archive the launcher
# starts the JVM normally. Usage: archive.sh JAVA TARGET_DIR LAUNCHER
java=$1
target=$2
launcher=$3
rm -f "$target/inflight.jsa"
cp "$launcher" "$target/inflight" && chmod +x "$target/inflight"
# The archive records the jar's path, size and time: made from the jar exactly as it is now.
if ! "$java" -XX:ArchiveClassesAtExit="$target/inflight.jsa" -Xlog:cds=off -Xlog:cds+dynamic=off \
  -cp "$target/inflight.jar" dev.inflight.cli.StartupTraining; then
  echo "class-data sharing archive not made; the command line starts without it" >&2
  rm -f "$target/inflight.jsa"
fi
exit 0
