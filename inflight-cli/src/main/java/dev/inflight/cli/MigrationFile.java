package dev.inflight.cli;

import dev.inflight.api.MigrationDocument;
import dev.inflight.api.SpecReader;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code -f FILE} option: a SchemaMigration document. */
public final class MigrationFile {
  @Option(
      names = {"-f", "--file"},
      paramLabel = "FILE",
      required = true,
      description = "SchemaMigration YAML file")
  Path file;

  MigrationDocument read() {
    return new SpecReader().read(file);
  }
}
