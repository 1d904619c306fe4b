package dev.inflight.operator.resource;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.inflight.api.Change;
import dev.inflight.api.MigrationDocument;
import dev.inflight.api.MigrationSpec;
import dev.inflight.api.SpecReader;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes types and the engine's model describe one document: the same fields, at the same
 * places, of the same kinds, so {@link ResourceSpecs} loses nothing in either direction.
 */
class ResourceSpecsTest {
  @Test
  void resourceSchemaHasExactlyTheFieldsOfTheEngineModel() {
    assertThat(fieldsOf(SchemaMigrationSpec.class, ""))
        .containsExactlyElementsOf(fieldsOf(MigrationSpec.class, ""));
    assertThat(fieldsOf(ChangeSchema.class, ""))
        .containsExactlyElementsOf(fieldsOf(Change.class, ""));
  }

  @Test
  void everyExampleSurvivesTheRoundTripUnchanged() throws Exception {
    List<Path> examples;
    try (Stream<Path> files = Files.list(Path.of("examples"))) {
      examples =
          files
              .filter(p -> p.toString().endsWith(".yaml"))
              .filter(p -> read(p).contains("kind: SchemaMigration"))
              .toList();
    }
    assertThat(examples).hasSizeGreaterThanOrEqualTo(4);
    for (Path example : examples) {
      MigrationDocument doc = new SpecReader().read(example);
      MigrationSpec back = ResourceSpecs.toCore(ResourceSpecs.toResource(doc.spec()));
      assertThat(back).as(example.toString()).isEqualTo(doc.spec());
    }
  }

  @Test
  void absentSectionsTakeTheEngineDefaults() {
    SchemaMigrationSpec bare =
        new SchemaMigrationSpec(null, "public.t", List.of(), null, null, null, null, null, null);
    MigrationSpec spec = ResourceSpecs.toCore(bare);
    assertThat(spec.cutover().lockTimeout()).isEqualTo("2s");
    assertThat(spec.control().action()).isEqualTo(MigrationSpec.Action.Run);
    assertThat(spec.deletionPolicy()).isEqualTo(MigrationSpec.DeletionPolicy.Retain);
  }

  /** Dotted paths of every field with its kind, e.g. {@code cutover.lockTimeout:String}. */
  private static TreeSet<String> fieldsOf(Class<?> type, String prefix) {
    TreeSet<String> fields = new TreeSet<>();
    for (RecordComponent component : type.getRecordComponents()) {
      JsonProperty renamed = component.getAnnotation(JsonProperty.class);
      String name = prefix + (renamed != null ? renamed.value() : component.getName());
      Class<?> kind = elementOf(component.getGenericType());
      if (kind.isRecord()) {
        fields.add(name + ":object");
        fields.addAll(fieldsOf(kind, name + "."));
      } else {
        fields.add(name + ":" + kind.getSimpleName());
      }
    }
    return fields;
  }

  private static Class<?> elementOf(Type type) {
    if (type instanceof ParameterizedType generic) {
      Class<?> raw = (Class<?>) generic.getRawType();
      if (List.class.isAssignableFrom(raw)) {
        return elementOf(generic.getActualTypeArguments()[0]);
      }
      if (Map.class.isAssignableFrom(raw)) {
        return Map.class;
      }
      return raw;
    }
    return (Class<?>) type;
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
