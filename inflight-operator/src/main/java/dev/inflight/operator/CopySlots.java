package dev.inflight.operator;

import dev.inflight.api.MigrationSpec;
import dev.inflight.api.MigrationSpec.Action;
import dev.inflight.engine.MigrationPhase;
import dev.inflight.engine.ledger.Ledger.ActiveEntry;
import dev.inflight.engine.ledger.MigrationRecord;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The per-database limit on migrations that copy at once (by default one). A migration holds one of
 * its database's slots from the creation of its shadow to its swap, which is when it reads the
 * whole table, writes a second copy and its indexes, and replays the application's writes: two at
 * once on one server share its I/O and its WAL, and each takes longer than both in turn. A
 * migration at its manual cut-over gate (AwaitingCutover) holds none: it only replays while it
 * waits for a person, for as long as that takes, and must not hold the queue meanwhile; its swap
 * does not queue when the person says Proceed.
 *
 * <p>Who holds a slot is read from the database's own ledger, so a migration run from the command
 * line counts too and nothing is lost when the operator restarts. The queue is this process's:
 * migrations waiting to start are let in by the order they were submitted (their ledger id), one
 * queue per database, so a busy database never delays another. A waiting migration is remembered
 * only while it keeps asking, so a deleted one does not block the queue.
 */
final class CopySlots {
  /** What a migration about to start copying is told. */
  sealed interface Decision {}

  /** It may start: it now holds a slot. */
  record Admitted() implements Decision {}

  /**
   * It waits: {@code blockedBy} holds a slot (or is ahead in the queue), {@code position} is its
   * place among the waiting ones, from 1.
   */
  record Queued(String blockedBy, int position, int limit) implements Decision {
    String message() {
      return "queued: "
          + blockedBy
          + " is copying on this database (at most "
          + limit
          + " at once); position "
          + position
          + " in its queue";
    }
  }

  private final int perDatabase;
  private final Duration memory;
  private final Clock clock;
  private final Map<String, DatabaseQueue> byDatabase = new ConcurrentHashMap<>();

  /**
   * @param memory how long a waiting migration, or a granted slot whose migration has not started,
   *     is kept without being asked about again; a few times the interval at which queued
   *     migrations ask
   */
  CopySlots(int perDatabase, Duration memory, Clock clock) {
    if (perDatabase < 1) {
      throw new IllegalArgumentException(
          "at most " + perDatabase + " copies per database: it must be 1 or more");
    }
    this.perDatabase = perDatabase;
    this.memory = memory;
    this.clock = clock;
  }

  int perDatabase() {
    return perDatabase;
  }

  /** Whether a migration in this phase holds one of its database's slots. */
  static boolean copying(MigrationPhase phase) {
    return switch (phase) {
      case CreatingShadow, Backfilling, Syncing, CuttingOver -> true;
      default -> false;
    };
  }

  /**
   * Whether the next step may leave Planning for the shadow's creation, which needs one of the
   * database's copy slots: a migration to run, not waiting for an approval it does not have.
   */
  static boolean startsCopying(MigrationRecord m, MigrationSpec spec) {
    if (spec.control().action() != Action.Run) {
      return false;
    }
    boolean approved =
        !spec.approval().required() || m.planHash().equals(spec.control().approvedPlanHash());
    return approved
        && (m.phase() == MigrationPhase.Planning || m.phase() == MigrationPhase.AwaitingApproval);
  }

  /** A database's identity for its slots: the JDBC URL without its parameters. */
  static String database(String jdbcUrl) {
    int params = jdbcUrl.indexOf('?');
    return params < 0 ? jdbcUrl : jdbcUrl.substring(0, params);
  }

  /** Reads a database's unfinished migrations from its ledger. */
  @FunctionalInterface
  interface LedgerRead {
    List<ActiveEntry> read() throws SQLException;
  }

  /**
   * Decides whether migration {@code self} may leave Planning now. The database's unfinished
   * migrations are read from its ledger by {@code ledger} while its queue is held, so what is read
   * includes every migration granted a slot before (each is submitted before it asks) and every
   * phase they had reached by then; asks about other databases do not wait for this read.
   */
  Decision admit(String database, ActiveEntry self, LedgerRead ledger) throws SQLException {
    DatabaseQueue q = byDatabase.computeIfAbsent(database, d -> new DatabaseQueue());
    synchronized (q) {
      return q.admit(self, ledger.read(), clock.instant());
    }
  }

  /** The migration no longer needs a slot or a place in a queue (it finished, or was deleted). */
  void forget(String database, String name) {
    DatabaseQueue q = byDatabase.get(database);
    if (q != null) {
      synchronized (q) {
        q.waiting.remove(name);
        q.granted.remove(name);
      }
    }
  }

  /**
   * Migrations waiting, and slots granted until the ledger shows their copy over, by name; one per
   * database the operator has seen, kept for its lifetime (its lock orders that database's asks).
   */
  private final class DatabaseQueue {
    final Map<String, Instant> waiting = new LinkedHashMap<>();
    final Map<String, Instant> granted = new LinkedHashMap<>();

    Decision admit(ActiveEntry self, List<ActiveEntry> active, Instant now) {
      Map<String, ActiveEntry> byName =
          active.stream()
              .collect(Collectors.toMap(ActiveEntry::name, Function.identity(), (a, b) -> a));
      forgetBefore(now.minus(memory), now, byName);
      if (granted.containsKey(self.name())) {
        granted.put(self.name(), now);
        return new Admitted();
      }
      Set<String> holders =
          active.stream()
              .filter(e -> copying(e.phase()) && !e.name().equals(self.name()))
              .map(ActiveEntry::name)
              .collect(Collectors.toCollection(LinkedHashSet::new));
      holders.addAll(granted.keySet());
      List<String> ahead =
          waiting.keySet().stream()
              .filter(n -> !n.equals(self.name()))
              .map(byName::get)
              .filter(e -> e.id() < self.id())
              .sorted(Comparator.comparingLong(ActiveEntry::id))
              .map(ActiveEntry::name)
              .toList();
      if (holders.size() + ahead.size() < perDatabase) {
        waiting.remove(self.name());
        granted.put(self.name(), now);
        return new Admitted();
      }
      waiting.put(self.name(), now);
      String blockedBy = holders.isEmpty() ? ahead.get(0) : holders.iterator().next();
      return new Queued(blockedBy, ahead.size() + 1, perDatabase);
    }

    /**
     * Forgets what is stale: waiting entries not asked about since {@code before} or no longer
     * waiting in the ledger, and grants the ledger shows are over.
     *
     * <p>A grant ends when the ledger shows its migration past the copy (waiting for its manual
     * cut-over, finished, or gone). While the ledger shows it copying it is kept, as fresh as that,
     * so that it still counts should a later read find the migration in an earlier phase; a grant
     * whose migration never started (its step failed, it was deleted with its ledger entry left in
     * Planning) ends once nobody has seen it for {@code memory}.
     */
    void forgetBefore(Instant before, Instant now, Map<String, ActiveEntry> ledger) {
      waiting.entrySet().removeIf(e -> e.getValue().isBefore(before) || !inQueue(ledger, e));
      granted
          .entrySet()
          .removeIf(
              e -> {
                ActiveEntry entry = ledger.get(e.getKey());
                if (entry != null && copying(entry.phase())) {
                  e.setValue(now);
                  return false;
                }
                return entry == null || !waiting(entry.phase()) || e.getValue().isBefore(before);
              });
    }

    private static boolean inQueue(Map<String, ActiveEntry> ledger, Map.Entry<String, Instant> e) {
      ActiveEntry entry = ledger.get(e.getKey());
      return entry != null && waiting(entry.phase());
    }

    /** Not started yet: the phases a migration waits for its slot in. */
    private static boolean waiting(MigrationPhase phase) {
      return phase == MigrationPhase.Planning || phase == MigrationPhase.AwaitingApproval;
    }
  }
}
