package dev.inflight.engine.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/** The SQLSTATEs that say a session could not be opened, and those that do not. */
class ConnectionFailureTest {
  private static SQLException state(String sqlState) {
    return new SQLException("message", sqlState);
  }

  @Test
  void connectionSettingsProblemsAreRecognised() {
    assertThat(ConnectionFailure.of(state("08001"))).contains(ConnectionFailure.Unreachable);
    assertThat(ConnectionFailure.of(state("28P01")))
        .contains(ConnectionFailure.AuthenticationFailed);
    assertThat(ConnectionFailure.of(state("28000")))
        .contains(ConnectionFailure.AuthenticationFailed);
    assertThat(ConnectionFailure.of(state("3D000"))).contains(ConnectionFailure.DatabaseNotFound);
  }

  @Test
  void otherErrorsAreNotConnectionFailures() {
    assertThat(ConnectionFailure.of(state("08006"))).isEmpty();
    assertThat(ConnectionFailure.of(state("55P03"))).isEmpty();
    assertThat(ConnectionFailure.of(state("3F000"))).isEmpty();
    assertThat(ConnectionFailure.of(state(null))).isEmpty();
  }
}
