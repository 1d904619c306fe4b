package dev.inflight.api;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collection;
import java.util.stream.Collectors;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads SchemaMigration files strictly: unknown fields, wrong types and unknown enum values are
 * errors with the path of the offending field, never silently ignored.
 */
public final class SpecReader {
  private static final int MAX_DOCUMENT_BYTES = 1 << 20;
  private final ObjectMapper yaml;

  public SpecReader() {
    this.yaml =
        new ObjectMapper(new YAMLFactory())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY)
            // A repeated key is an error in YAML; binding alone would let the last one win.
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
  }

  /** Reads and validates a file; throws {@link SpecException} with every problem found. */
  public MigrationDocument read(Path file) {
    try {
      if (Files.size(file) > MAX_DOCUMENT_BYTES) {
        throw new SpecException(file + ": larger than 1 MiB; a migration file is a few KiB");
      }
      return parse(Files.readString(file), file.toString());
    } catch (IOException e) {
      throw new SpecException("cannot read " + file + ": " + e.getMessage());
    }
  }

  /** Parses and validates YAML text; {@code source} names it in error messages. */
  public MigrationDocument parse(String text, String source) {
    if (text.length() > MAX_DOCUMENT_BYTES) {
      throw new SpecException(source + ": larger than 1 MiB; a migration file is a few KiB");
    }
    MigrationDocument doc;
    try {
      scan(text, source);
      doc = yaml.readValue(text, MigrationDocument.class);
    } catch (JsonProcessingException e) {
      throw new SpecException(source + ": " + describe(e));
    } catch (IOException e) {
      throw new SpecException(source + ": " + e.getMessage());
    }
    if (doc == null) {
      throw new SpecException(source + ": the file is empty");
    }
    SpecValidator.requireValid(doc, source);
    return doc;
  }

  /**
   * What binding does not see: a file with no document (binding reports a type mismatch), a second
   * document after {@code ---} (binding reads the first and ignores the rest), and aliases, which
   * the YAML parser hands over as the anchor's name instead of its value.
   */
  private void scan(String text, String source) throws IOException {
    int documents = 0;
    int depth = 0;
    try (JsonParser p = yaml.createParser(text)) {
      for (JsonToken t = p.nextToken(); t != null; t = p.nextToken()) {
        if (p instanceof YAMLParser y && y.isCurrentAlias()) {
          throw new SpecException(
              source
                  + ": YAML aliases (*"
                  + p.getText()
                  + ") are not supported; write the value out");
        }
        if (depth == 0 && t != JsonToken.END_OBJECT && t != JsonToken.END_ARRAY) {
          documents++;
        }
        if (t.isStructStart()) {
          depth++;
        } else if (t.isStructEnd()) {
          depth--;
        }
      }
    }
    if (documents == 0) {
      throw new SpecException(source + ": the file is empty");
    }
    if (documents > 1) {
      throw new SpecException(
          source
              + ": the file holds "
              + documents
              + " YAML documents; a file holds one SchemaMigration");
    }
  }

  /** The mapper, configured for the resource shape, for writing documents and status. */
  public ObjectMapper mapper() {
    return yaml;
  }

  private static String describe(JsonProcessingException e) {
    String path = e instanceof JsonMappingException m ? path(m) : "the top level";
    if (e instanceof UnrecognizedPropertyException u) {
      String known =
          u.getKnownPropertyIds() == null
              ? ""
              : u.getKnownPropertyIds().stream()
                  .map(Object::toString)
                  .sorted()
                  .collect(Collectors.joining(", "));
      return "unknown field '"
          + u.getPropertyName()
          + "' at "
          + path
          + (known.isEmpty() ? "" : " (expected one of: " + known + ")");
    }
    if (e instanceof InvalidFormatException f) {
      String allowed = "";
      if (f.getTargetType() != null && f.getTargetType().isEnum()) {
        allowed =
            " (expected one of: "
                + Arrays.stream(f.getTargetType().getEnumConstants())
                    .map(Object::toString)
                    .collect(Collectors.joining(", "))
                + ")";
      }
      return "invalid value '" + f.getValue() + "' at " + path + allowed;
    }
    if (e instanceof MismatchedInputException m) {
      String type = m.getTargetType() == null ? "value" : m.getTargetType().getSimpleName();
      if (m.getTargetType() != null && Collection.class.isAssignableFrom(m.getTargetType())) {
        type = "List";
      }
      return "wrong type at " + path + ": expected " + friendly(type);
    }
    if (e.getCause() instanceof InputCoercionException c) {
      // A number too large for its field: the YAML is fine, the value is not.
      return "number out of range at " + path + ": " + oneLine(c.getOriginalMessage());
    }
    // The YAML parser's messages span lines (with a snippet and a caret); a reason is one line.
    if (e.getCause() instanceof MarkedYAMLException y && y.getProblemMark() != null) {
      Mark mark = y.getProblemMark();
      return "malformed YAML at line "
          + (mark.getLine() + 1)
          + ", column "
          + (mark.getColumn() + 1)
          + ": "
          + oneLine(y.getProblem())
          + (y.getContext() == null ? "" : " (" + oneLine(y.getContext()) + ")");
    }
    String msg = oneLine(e.getOriginalMessage());
    if (e.getLocation() != null) {
      msg += " (line " + e.getLocation().getLineNr() + ")";
    }
    return "malformed YAML: " + msg;
  }

  private static String oneLine(String text) {
    return String.valueOf(text).strip().replaceAll("\\s*\\R\\s*", " ");
  }

  private static String friendly(String javaType) {
    return switch (javaType) {
      case "String" -> "a string";
      case "Integer", "int", "Long", "long" -> "an integer";
      case "Boolean", "boolean" -> "true or false";
      case "List" -> "a list";
      default -> "an object (" + javaType + ")";
    };
  }

  private static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.length() == 0 ? "the top level" : sb.toString();
  }
}
