package dev.inflight.k8s;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rights as {@code kubectl auth can-i --list} names them: one verb on one resource ({@code
 * resource.group}, {@code resource.group/subresource}, or a bare core resource such as {@code
 * secrets}) or on a non-resource URL. Read two ways, from what an RBAC file grants an account and
 * from what the server's authorizer answers, so that the two sets can be compared whole.
 */
record Rights(Set<String> set) {
  /** A row of {@code can-i --list --no-headers}: resources, non-resource URLs, names, verbs. */
  private static final Pattern ROW =
      Pattern.compile("^(.*?)\\s+\\[(.*?)]\\s+\\[(.*?)]\\s+\\[(.*?)]\\s*$");

  /** The rights in {@code kubectl auth can-i --list --no-headers} output. */
  static Rights ofCanIList(String output) {
    Set<String> rights = new TreeSet<>();
    for (String line : output.split("\n")) {
      if (line.isBlank()) {
        continue;
      }
      Matcher m = ROW.matcher(line);
      if (!m.matches()) {
        throw new IllegalArgumentException("not a row of kubectl auth can-i --list: " + line);
      }
      if (!m.group(3).isBlank()) {
        // A right on named objects only would be narrower than the verb on the resource.
        throw new IllegalArgumentException("a right on named objects: " + line);
      }
      List<String> targets =
          m.group(1).isBlank() ? words(m.group(2)) : List.of(m.group(1).trim().split(",\\s*"));
      for (String target : targets) {
        for (String verb : words(m.group(4))) {
          rights.add(verb + " " + target);
        }
      }
    }
    return new Rights(rights);
  }

  /**
   * What the Roles and ClusterRoles of an RBAC file grant {@code account} (namespace, name) through
   * its bindings, in {@code namespace}: the ClusterRoleBindings' everywhere, the RoleBindings' in
   * their namespace; a null namespace asks for the ClusterRoleBindings' alone.
   */
  static Rights grantedBy(
      Path rbacFile, String accountNamespace, String account, String namespace) {
    List<GenericKubernetesResource> docs = Documents.read(rbacFile);
    Set<String> rights = new TreeSet<>();
    for (GenericKubernetesResource binding : docs) {
      boolean cluster = binding.getKind().equals("ClusterRoleBinding");
      boolean here =
          binding.getKind().equals("RoleBinding")
              && binding.getMetadata().getNamespace().equals(namespace);
      if (!(cluster || here) || !bindsTo(binding, accountNamespace, account)) {
        continue;
      }
      Map<String, Object> ref = map(binding.getAdditionalProperties().get("roleRef"));
      GenericKubernetesResource role =
          docs.stream()
              .filter(d -> d.getKind().equals(ref.get("kind")))
              .filter(d -> d.getMetadata().getName().equals(ref.get("name")))
              .filter(
                  d ->
                      d.getKind().equals("ClusterRole")
                          || Objects.equals(
                              d.getMetadata().getNamespace(), binding.getMetadata().getNamespace()))
              .findFirst()
              .orElseThrow(
                  () -> new IllegalArgumentException("no role " + ref + " in " + rbacFile));
      for (Object rule : (List<?>) role.getAdditionalProperties().get("rules")) {
        Map<String, Object> r = map(rule);
        for (Object group : (List<?>) r.get("apiGroups")) {
          for (Object resource : (List<?>) r.get("resources")) {
            for (Object verb : (List<?>) r.get("verbs")) {
              rights.add(verb + " " + qualified((String) resource, (String) group));
            }
          }
        }
      }
    }
    return new Rights(rights);
  }

  Rights plus(Rights other) {
    Set<String> all = new TreeSet<>(set);
    all.addAll(other.set);
    return new Rights(all);
  }

  /** kubectl's spelling: {@code resource.group/subresource}, or the resource alone for core. */
  private static String qualified(String resource, String group) {
    if (group.isEmpty()) {
      return resource;
    }
    int slash = resource.indexOf('/');
    return slash < 0
        ? resource + "." + group
        : resource.substring(0, slash) + "." + group + resource.substring(slash);
  }

  private static boolean bindsTo(
      GenericKubernetesResource binding, String accountNamespace, String account) {
    for (Object s : (List<?>) binding.getAdditionalProperties().get("subjects")) {
      Map<String, Object> subject = map(s);
      if ("ServiceAccount".equals(subject.get("kind"))
          && account.equals(subject.get("name"))
          && accountNamespace.equals(subject.get("namespace"))) {
        return true;
      }
    }
    return false;
  }

  private static List<String> words(String list) {
    return list.isBlank() ? List.of() : List.of(list.trim().split("\\s+"));
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return (Map<String, Object>) o;
  }
}
