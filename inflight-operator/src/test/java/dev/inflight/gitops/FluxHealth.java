package dev.inflight.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.parser.CelParser;
import dev.cel.parser.CelParserFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A Flux {@code healthCheckExprs} entry evaluated as kustomize-controller does (fluxcd/pkg
 * runtime/cel StatusEvaluator, RFC 0009): the expressions are parsed, not type-checked, and run
 * with the object's top-level fields ({@code metadata}, {@code spec}, {@code status}) as variables;
 * an {@code observedGeneration} behind {@code metadata.generation} is InProgress without looking
 * further; then inProgress, failed and current are tried in that order, the first true one giving
 * the kstatus result, none true InProgress. An expression that cannot be evaluated is an error, as
 * in Flux.
 */
public final class FluxHealth {
  /** The kstatus results a health check expression can lead to. */
  public enum Status {
    InProgress,
    Failed,
    Current
  }

  /** An expression could not be evaluated against the object (Flux reports a failed check). */
  public static final class EvaluationError extends Exception {
    EvaluationError(String expression, Throwable cause) {
      super("cannot evaluate " + expression + ": " + cause.getMessage(), cause);
    }
  }

  private static final CelParser PARSER =
      CelParserFactory.standardCelParserBuilder()
          .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
          .build();
  // The planner runtime evaluates parsed-only expressions, as cel-go's Program over env.Parse does;
  // an absent variable is "no such attribute", as in cel-go.
  private static final CelRuntime RUNTIME = CelRuntimeFactory.plannerRuntimeBuilder().build();

  private final String inProgress;
  private final String failed;
  private final String current;

  /** One entry of a Kustomization's {@code spec.healthCheckExprs}. */
  public FluxHealth(JsonNode healthCheckExpr) {
    this.inProgress = healthCheckExpr.path("inProgress").asText("");
    this.failed = healthCheckExpr.path("failed").asText("");
    this.current = healthCheckExpr.path("current").asText("");
    if (current.isEmpty()) {
      throw new IllegalArgumentException("expression Current not specified");
    }
  }

  public Status evaluate(JsonNode object) throws Exception {
    JsonNode observed = object.path("status").path("observedGeneration");
    JsonNode generation = object.path("metadata").path("generation");
    if (observed.isIntegralNumber()
        && generation.isIntegralNumber()
        && observed.asLong() != generation.asLong()) {
      return Status.InProgress;
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> variables = (Map<String, Object>) toJava(object);
    for (var check :
        List.of(
            Map.entry(inProgress, Status.InProgress),
            Map.entry(failed, Status.Failed),
            Map.entry(current, Status.Current))) {
      if (!check.getKey().isEmpty() && isTrue(check.getKey(), variables)) {
        return check.getValue();
      }
    }
    return Status.InProgress;
  }

  private static boolean isTrue(String expression, Map<String, Object> variables) throws Exception {
    CelAbstractSyntaxTree ast = PARSER.parse(expression).getAst();
    Object result;
    try {
      result = RUNTIME.createProgram(ast).eval(variables);
    } catch (CelEvaluationException e) {
      throw new EvaluationError(expression, e);
    }
    if (!(result instanceof Boolean b)) {
      throw new IllegalStateException("not a boolean: " + expression + " = " + result);
    }
    return b;
  }

  /** The object as unstructured.Unstructured holds it: maps, lists, strings, int64, bools. */
  private static Object toJava(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.properties().forEach(e -> m.put(e.getKey(), toJava(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(v -> l.add(toJava(v)));
      return l;
    }
    if (n.isIntegralNumber()) {
      return n.asLong();
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    return n.isNull() ? null : n.asText();
  }
}
