package dev.inflight.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * YAML files as the API server will see them: untyped documents, so that nothing on the client side
 * drops or fills in a field before the server's schema does.
 */
final class Documents {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final Pattern REJECTED = Pattern.compile("(?m)^# rejected: (.+)$");

  /** A document and what the server must answer when it is rejected. */
  record Case(String name, GenericKubernetesResource resource, String rejectedWith) {
    @Override
    public String toString() {
      return name;
    }
  }

  private Documents() {}

  /** Every document of a (multi-document) YAML file. */
  static List<GenericKubernetesResource> read(Path file) {
    try {
      List<GenericKubernetesResource> out = new ArrayList<>();
      for (JsonNode doc :
          YAML.readValues(YAML.createParser(file.toFile()), JsonNode.class).readAll()) {
        if (doc != null && !doc.isNull() && !doc.isEmpty()) {
          out.add(Serialization.jsonMapper().treeToValue(doc, GenericKubernetesResource.class));
        }
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The documents of a test resource, each preceded by a {@code # rejected: ...} line. */
  static List<Case> cases(String resource) {
    try (var in = Documents.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalArgumentException("no test resource " + resource);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      List<Case> out = new ArrayList<>();
      for (String doc : text.split("(?m)^---\\s*$")) {
        Matcher m = REJECTED.matcher(doc);
        if (!m.find()) {
          throw new IllegalArgumentException(resource + ": a document without '# rejected:'");
        }
        GenericKubernetesResource r =
            Serialization.jsonMapper()
                .treeToValue(YAML.readTree(doc), GenericKubernetesResource.class);
        out.add(new Case(r.getMetadata().getName(), r, m.group(1).strip()));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The YAML files under a directory, recursively, except kustomizations. */
  static List<Path> yamlFiles(Path dir) {
    try (var files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .filter(p -> p.toString().endsWith(".yaml") || p.toString().endsWith(".yml"))
          .filter(p -> !p.getFileName().toString().startsWith("kustomization."))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
