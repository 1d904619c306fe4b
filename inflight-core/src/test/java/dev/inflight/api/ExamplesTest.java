package dev.inflight.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** Every SchemaMigration in examples/ is valid, and documents its expected outcome. */
class ExamplesTest {
  @Test
  void everyExampleMigrationIsAValidDocument() throws Exception {
    List<Path> files;
    try (Stream<Path> s = Files.walk(Path.of("examples"))) {
      files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    List<String> migrations = new ArrayList<>();
    for (Path f : files) {
      try (YAMLParser parser = new YAMLFactory().createParser(f.toFile())) {
        for (JsonNode doc : yaml.readValues(parser, JsonNode.class).readAll()) {
          if ("SchemaMigration".equals(doc.path("kind").asText())) {
            new SpecReader().parse(yaml.writeValueAsString(doc), f.toString());
            migrations.add(f.toString());
          }
        }
      }
    }
    assertThat(migrations)
        .contains("examples/users-add-phone.yaml", "examples/gitops/migration.yaml");
    assertThat(migrations).hasSizeGreaterThanOrEqualTo(4);
  }

  @Test
  void standaloneExamplesSayWhatTheyDoAndWhatToExpect() throws Exception {
    try (Stream<Path> s = Files.list(Path.of("examples"))) {
      for (Path f : s.filter(p -> p.toString().endsWith(".yaml")).toList()) {
        String text = Files.readString(f);
        if (text.contains("kind: SchemaMigration")) {
          assertThat(text)
              .as(f + " documents its expected outcome")
              .contains("# Expected outcome:");
        }
      }
    }
  }
}
