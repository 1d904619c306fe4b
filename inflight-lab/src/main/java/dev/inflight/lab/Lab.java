package dev.inflight.lab;

import dev.inflight.cli.Main;
import dev.inflight.lab.bench.BenchCommand;
import dev.inflight.lab.chaos.ChaosCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code inflight-lab <command>}: the benchmark against pg_repack, the physical copy and ALTER
 * TABLE, and fault injection. Both drive the product's own command line ({@link Main}) in child
 * processes, exactly as a user runs it.
 */
@Command(
    name = "inflight-lab",
    mixinStandardHelpOptions = true,
    description = "Measures Inflight against its peers and injects faults into its migrations.",
    subcommands = {BenchCommand.class, ChaosCommand.class})
public final class Lab {
  private Lab() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String... args) {
    return new CommandLine(new Lab()).execute(args);
  }
}
