package dev.inflight.gitops;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaError;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.OneArgFunction;
import org.luaj.vm2.lib.OsLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs a health check script the way Argo CD does (util/lua in argo-cd): Lua 5.1 (luaj 2.0, as
 * gopher-lua implements 5.1), {@code obj} the resource as a table, and only the libraries Argo CD
 * opens for a ConfigMap customization: base, table, {@code require}, and an {@code os} with just
 * {@code time} and {@code date}. No string library, so neither {@code string.*} nor {@code
 * s:method()} works, as in Argo CD unless {@code useOpenLibs} is set. The returned table is read as
 * Argo CD reads it: a status outside Argo CD's set becomes Unknown.
 */
public final class ArgoHealth {
  /**
   * luaj 2.0's LuaValue must be initialized before LuaString (its subclass), or the string cache is
   * used before it exists: this field makes any use of ArgoHealth initialize LuaValue first.
   */
  private static final LuaValue INITIALIZED_FIRST = LuaValue.NIL;

  /** The script, in Argo CD's resource_customizations layout. */
  public static final Path CUSTOMIZATION =
      Path.of("deploy/argocd/resource_customizations/inflight.dev/SchemaMigration");

  public static final Path SCRIPT = CUSTOMIZATION.resolve("health.lua");

  /** Argo CD's health status codes; anything else is reported as Unknown. */
  static final Set<String> STATUSES =
      Set.of("Unknown", "Progressing", "Suspended", "Healthy", "Degraded", "Missing");

  /** The health status and message. */
  public record Health(String status, String message) {}

  private ArgoHealth() {}

  /** The health of {@code resource} from deploy/argocd's script, with Argo CD's libraries. */
  public static Health evaluate(JsonNode resource) throws Exception {
    return evaluate(Files.readString(SCRIPT), resource, false);
  }

  /**
   * Runs {@code script}; {@code openLibs} opens every standard library, as Argo CD does for its
   * built-in scripts and its own tests.
   */
  public static synchronized Health evaluate(String script, JsonNode resource, boolean openLibs)
      throws Exception {
    // luaj keeps the string metatable in a static: clear it so that a closed environment has no
    // string methods, and put it back for whoever runs Lua next.
    LuaValue stringMeta = LuaString.s_metatable;
    try {
      LuaTable globals = openLibs ? JsePlatform.standardGlobals() : argoGlobals();
      if (!openLibs) {
        LuaString.s_metatable = null;
      }
      globals.set("obj", toLua(resource));
      LuaValue result =
          LoadState.load(
                  new ByteArrayInputStream(script.getBytes(StandardCharsets.UTF_8)),
                  "health.lua",
                  globals)
              .call();
      return read(result);
    } finally {
      LuaString.s_metatable = stringMeta;
    }
  }

  /** ExecuteHealthLua: a table with a known status string, else Unknown. */
  private static Health read(LuaValue result) {
    if (!result.istable()) {
      throw new LuaError("expect table output from Lua script, not " + result.typename());
    }
    LuaValue status = result.get("status");
    LuaValue message = result.get("message");
    if (!status.isstring() || !STATUSES.contains(status.tojstring())) {
      return new Health("Unknown", "Lua returned an invalid health status");
    }
    return new Health(status.tojstring(), message.isnil() ? "" : message.tojstring());
  }

  private static LuaTable argoGlobals() {
    LuaC.install();
    LuaTable globals = new LuaTable();
    globals.load(new JseBaseLib());
    // Argo CD opens the package library too; luaj's table library also needs it loaded first.
    globals.load(new PackageLib());
    globals.load(new TableLib());
    LuaTable fullOs = new LuaTable();
    fullOs.load(new OsLib());
    LuaTable os = new LuaTable();
    LuaValue osLib = fullOs.get("os");
    os.set("time", osLib.get("time"));
    os.set("date", osLib.get("date"));
    globals.set("os", os);
    // require finds only the safe os, as Argo CD preloads it.
    globals.set(
        "require",
        new OneArgFunction() {
          @Override
          public LuaValue call(LuaValue name) {
            if (name.checkjstring().equals("os")) {
              return os;
            }
            throw new LuaError("module '" + name.tojstring() + "' not found");
          }
        });
    // Argo CD's base library has no file access worth the name; neither does this one.
    globals.set("dofile", LuaValue.NIL);
    globals.set("loadfile", LuaValue.NIL);
    return globals;
  }

  /** decodeValue in argo-cd: objects and arrays to tables, numbers to Lua numbers. */
  static LuaValue toLua(JsonNode n) {
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
}
