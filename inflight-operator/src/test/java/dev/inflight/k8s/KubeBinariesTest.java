package dev.inflight.k8s;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which of the script's builds the real tier starts, without starting one. */
class KubeBinariesTest {
  @TempDir Path k8s;

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
    "amd64, amd64",
    "x86_64, amd64",
    "aarch64, arm64",
    "ppc64le, ppc64le",
    "s390x, s390x"
  })
  void theJvmsArchitectureIsNamedAsGoNamesIt(String osArch, String goArch) {
    assertThat(KubeBinaries.goArch(osArch)).isEqualTo(goArch);
  }

  @Test
  void anArchitectureGoDoesNotNameIsRefused() {
    assertThatThrownBy(() -> KubeBinaries.goArch("sparcv9")).hasMessageContaining("sparcv9");
  }

  @Test
  void theVersionAskedForIsFoundAndAnotherBuildDoesNotReplaceIt() throws Exception {
    build("1.37.2-linux-amd64");
    build("1.37.10-linux-amd64");
    build("1.38.0-linux-amd64"); // a "latest" built by hand
    build("1.33.13-linux-arm64");
    Files.createDirectories(k8s.resolve("1.37.11-linux-amd64")); // no .complete: unfinished

    assertThat(KubeBinaries.find(k8s, "1.37", "amd64").orElseThrow().version())
        .isEqualTo("1.37.10");
    assertThat(KubeBinaries.find(k8s, "1.37.2", "amd64").orElseThrow().version())
        .isEqualTo("1.37.2");
    assertThat(KubeBinaries.find(k8s, "latest", "amd64").orElseThrow().version())
        .isEqualTo("1.38.0");
    assertThat(KubeBinaries.find(k8s, "1.33", "amd64")).isEmpty();
    assertThat(KubeBinaries.find(k8s, "1.33", "arm64").orElseThrow().version())
        .isEqualTo("1.33.13");
    assertThat(KubeBinaries.find(k8s, "1.3", "amd64")).isEmpty();
  }

  /** The build and the script name the same default, so a bare script run builds what is tested. */
  @Test
  void theBuildTestsTheMinorTheScriptBuildsByDefault() throws Exception {
    Matcher m =
        Pattern.compile("INFLIGHT_KUBE_VERSIONS:-([0-9.]+)}")
            .matcher(Files.readString(Path.of("scripts/kube-apiserver.sh")));
    assertThat(m.find()).as("the script's default version").isTrue();
    assertThat(System.getProperty(KubeBinaries.VERSION_PROPERTY)).isEqualTo(m.group(1));
  }

  private void build(String name) throws Exception {
    Path dir = Files.createDirectories(k8s.resolve(name));
    Files.writeString(dir.resolve(".complete"), "recipe 3\n");
  }
}
