package dev.inflight.cli;

/** A problem with how the command was called; reported in one line with exit code 2. */
final class UsageProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  UsageProblem(String message) {
    super(message);
  }
}
