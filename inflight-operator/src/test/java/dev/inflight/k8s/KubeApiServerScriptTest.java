package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * scripts/kube-apiserver.sh reads its arguments before it touches anything: help and typos cost
 * neither the cache (its directory, lock and build log) nor a look-up on the module proxy (which is
 * turned off here, so a look-up would fail the script instead of hanging on the network).
 */
class KubeApiServerScriptTest {
  private static final Path SCRIPT = Path.of("scripts/kube-apiserver.sh");

  @TempDir Path home;

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--help", "-h"})
  void helpPrintsTheUsageAndLeavesTheCacheAlone(String option) throws Exception {
    Run r = run(option);
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out())
        .contains("scripts/kube-apiserver.sh 1.37 1.33", "INFLIGHT_KUBE_DIR defaults to")
        .doesNotContain("#!/usr/bin/env bash", "set -euo pipefail");
    assertThat(cache()).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"--hlep", "1.3x", "v1.37", "1.37;true", "1..37", "1"})
  void aVersionThatIsNotOneIsRefusedBeforeTheCacheIsTouched(String argument) throws Exception {
    Run r = run("1.37", argument);
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(2);
    assertThat(r.err()).contains("'" + argument + "' is not a version");
    assertThat(cache()).doesNotExist();
  }

  private Path cache() {
    return home.resolve("kube");
  }

  private record Run(int exit, String out, String err) {}

  private Run run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(List.of(args));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("INFLIGHT_KUBE_DIR", cache().toString());
    pb.environment().put("GOPROXY", "off");
    pb.environment().remove("INFLIGHT_KUBE_VERSIONS");
    Process p = pb.start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    byte[] err = p.getErrorStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the script ends").isTrue();
    return new Run(
        p.exitValue(),
        new String(out, StandardCharsets.UTF_8),
        new String(err, StandardCharsets.UTF_8));
  }
}
