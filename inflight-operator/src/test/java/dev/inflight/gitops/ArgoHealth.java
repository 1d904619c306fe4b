package dev.inflight.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import dev.inflight.api.ConditionType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.lib.jse.JsePlatform;

/** Runs deploy/argocd/health.lua the way Argo CD does: {@code obj} is the resource as a table. */
public final class ArgoHealth {
  static final Path SCRIPT = Path.of("deploy/argocd/health.lua");

  /** The health status and message. */
  public record Health(String status, String message) {}

  private ArgoHealth() {}

  public static Health evaluate(JsonNode resource) throws Exception {
    Globals globals = JsePlatform.standardGlobals();
    globals.set("obj", toLua(resource));
    LuaValue result = globals.load(Files.readString(SCRIPT), "health.lua").call();
    return new Health(result.get("status").tojstring(), result.get("message").optjstring(""));
  }

  private static LuaValue toLua(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (n.isObject()) {
      LuaTable t = new LuaTable();
      for (Map.Entry<String, JsonNode> e : n.properties()) {
        t.set(e.getKey(), toLua(e.getValue()));
      }
      return t;
    }
    if (n.isArray()) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < n.size(); i++) {
        t.set(i + 1, toLua(n.get(i)));
      }
      return t;
    }
    if (n.isBoolean()) {
      return LuaValue.valueOf(n.booleanValue());
    }
    if (n.isNumber()) {
      return LuaValue.valueOf(n.doubleValue());
    }
    return LuaValue.valueOf(n.asText());
  }

  /**
   * kstatus (what Flux {@code wait} uses) on the same resource: InProgress when the generation is
   * not observed yet or Reconciling is True, Failed when Stalled is True, else Current.
   */
  public static String kstatus(JsonNode resource) {
    JsonNode status = resource.path("status");
    long generation = resource.path("metadata").path("generation").asLong(0);
    if (status.isMissingNode() || status.path("observedGeneration").asLong(-1) < generation) {
      return "InProgress";
    }
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(ConditionType.Reconciling.name())
          && c.path("status").asText().equals("True")) {
        return "InProgress";
      }
    }
    for (JsonNode c : status.path("conditions")) {
      if (c.path("type").asText().equals(ConditionType.Stalled.name())
          && c.path("status").asText().equals("True")) {
        return "Failed";
      }
    }
    return "Current";
  }
}
