package dev.inflight.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.inflight.api.Durations;
import dev.inflight.engine.Engine;
import dev.inflight.engine.EngineSettings;
import dev.inflight.engine.Json;
import java.time.Clock;
import java.time.Duration;
import java.util.random.RandomGenerator;
import javax.sql.DataSource;

/** Shared construction for the commands. */
final class Cli {
  private Cli() {}

  static Engine engine(DataSource ds) {
    return new Engine(
        ds, Clock.systemUTC(), EngineSettings.defaults(), RandomGenerator.getDefault());
  }

  /** The {@code --timeout} option; read before anything is done, as bad input changes nothing. */
  static Duration timeout(String text) {
    try {
      return Durations.parse("--timeout", text);
    } catch (IllegalArgumentException e) {
      throw new UsageProblem(e.getMessage());
    }
  }

  static ObjectMapper json() {
    return Json.mapper().enable(SerializationFeature.INDENT_OUTPUT);
  }
}
