package dev.inflight.workload;

import dev.inflight.workload.StatementLog.Kind;
import java.util.ArrayList;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * The statements a thread chooses from, each with a weight: {@code Mix.of(INSERT, 35,
 * insert).and(UPDATE, 50, update)} runs the insert 35 times in 85.
 */
public record Mix(List<Choice> choices) {
  /** One statement of the mix, logged as {@code kind}. */
  public record Choice(Kind kind, int weight, Operation operation) {
    public Choice {
      if (weight < 1) {
        throw new IllegalArgumentException(
            "the weight of a " + kind + " statement must be at least 1, not " + weight);
      }
    }
  }

  public Mix {
    if (choices.isEmpty()) {
      throw new IllegalArgumentException("a mix needs at least one statement");
    }
    choices = List.copyOf(choices);
  }

  public static Mix of(Kind kind, int weight, Operation operation) {
    return new Mix(List.of(new Choice(kind, weight, operation)));
  }

  /** This mix and one more statement. */
  public Mix and(Kind kind, int weight, Operation operation) {
    List<Choice> more = new ArrayList<>(choices);
    more.add(new Choice(kind, weight, operation));
    return new Mix(more);
  }

  /** A statement, with probability its weight over the total. */
  Choice pick(RandomGenerator random) {
    int total = choices.stream().mapToInt(Choice::weight).sum();
    int dice = random.nextInt(total);
    for (Choice c : choices) {
      dice -= c.weight();
      if (dice < 0) {
        return c;
      }
    }
    throw new IllegalStateException("unreachable: the weights sum to " + total);
  }
}
