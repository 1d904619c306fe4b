#!/usr/bin/env bash
# A real Kubernetes API server for the test suite, built once per machine from the Go module
# proxy: kube-apiserver and kubectl from the k8s.io/kubernetes module of a current release, and
# etcd from go.etcd.io/etcd/server/v3 of the minor that release pins, compiled with the machine's
# Go and laid out for io.fabric8:kube-api-test's offline mode:
#
#   $INFLIGHT_KUBE_DIR/k8s/<version>-linux-<arch>/{kube-apiserver,etcd,kubectl}
#
# INFLIGHT_KUBE_DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/inflight/kube, outside the repository.
# By default it builds the newest patch of Kubernetes 1.37, the newest minor release when this was
# written (pinned, so that every machine tests the same server). Arguments, or
# INFLIGHT_KUBE_VERSIONS, name others, each built into a directory of its own: a minor such as
# 1.33 (its newest patch), an exact release such as 1.33.13, or "latest":
#
#   scripts/kube-apiserver.sh 1.37 1.33
#
# -h or --help prints this text; an argument that is not a version is refused before anything is
# touched.
#
# Idempotent: when every version asked for is there (for "latest", any build of this recipe) it
# prints the directories and exits at once, without the network. A cold build takes 10 to 15
# minutes on 2 cores (about 15 minutes of CPU time; the log is $INFLIGHT_KUBE_DIR/build.log) and
# leaves a Go module and build cache under $INFLIGHT_KUBE_DIR/go, with which a rebuild takes under
# a minute: 6.9 GB after building 1.37 and 1.33 (5.5 GB of compiled packages, 1.4 GB of modules);
# delete that directory to reclaim the space. Each version's binaries take 200 MB. Nothing is
# installed and the repository is not touched.
#
# The test tier starts the version inflight-operator/pom.xml names (inflight.k8s.version, this
# script's default), whatever else the cache holds.
#
# Needs Go, as new as the chosen release's go.mod asks (1.26 for Kubernetes 1.37; for "latest" an
# older Go gets the newest release it can build), and the Go module proxy (GOPROXY, by default
# proxy.golang.org); GitHub and dl.k8s.io are not used.
set -euo pipefail

ROOT="${INFLIGHT_KUBE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/inflight/kube}"
# Bumped whenever the recipe below changes what gets built, so that caches are rebuilt.
RECIPE=3
KUBERNETES=k8s.io/kubernetes
ETCD=go.etcd.io/etcd/server/v3

# The comment block above, as the usage text.
usage() {
  sed -n '2,/^set -euo pipefail$/p' "$0" | sed '$d' | sed -e 's/^# \{0,1\}//'
}

# Options and versions are read before anything touches the cache, takes the lock or asks the
# module proxy, so that a typo costs nothing.
wanted=()
for arg in "$@"; do
  case "$arg" in
    -h | --help)
      usage
      exit 0
      ;;
    *) wanted+=("$arg") ;;
  esac
done
if [ "${#wanted[@]}" -eq 0 ]; then
  read -r -a wanted <<<"${INFLIGHT_KUBE_VERSIONS:-1.37}"
  [ "${#wanted[@]}" -gt 0 ] || wanted=(latest)
fi
for v in "${wanted[@]}"; do
  if ! [[ "$v" =~ ^(latest|[0-9]+\.[0-9]+(\.[0-9]+)?)$ ]]; then
    echo "kube-apiserver.sh: '$v' is not a version: name a minor such as 1.37, a release such as" \
      "1.37.2, or latest (--help says more)" >&2
    exit 2
  fi
done

step="starting"
log="$ROOT/build.log"
# Any command that fails ends the script (set -e), here with what it was doing and the log's tail.
on_exit() {
  [ "$1" = 0 ] && return
  echo "kube-apiserver.sh: failed while $step" >&2
  if [ -s "$log" ]; then
    echo "--- last lines of $log:" >&2
    tail -n 25 "$log" >&2
  fi
}
trap 'on_exit $?' EXIT
die() {
  trap - EXIT
  echo "kube-apiserver.sh: $*" >&2
  exit 1
}

# The usual place of an official Go installation, when it is not on PATH.
if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
  PATH="/usr/local/go/bin:$PATH"
fi
command -v go >/dev/null \
  || die "go is missing: install Go 1.26 or newer and put it on PATH" \
    "(Debian 12's golang packages are too old)"
arch="$(go env GOARCH)"

# A complete build of this recipe: the three binaries and the stamp written last.
complete() {
  [ "$(head -n 1 "$1/.complete" 2>/dev/null)" = "recipe $RECIPE" ] \
    && [ -x "$1/kube-apiserver" ] && [ -x "$1/etcd" ] && [ -x "$1/kubectl" ]
}

# The newest complete build matching a version (latest, 1.33 or 1.33.13), if any.
cached() {
  local prefix d found=""
  case "$1" in
    latest) prefix="" ;;
    *.*.*) prefix="$1-linux-$arch" ;;
    *) prefix="$1." ;;
  esac
  for d in $(ls -1d "$ROOT/k8s/$prefix"*"-linux-$arch" 2>/dev/null | sort -V); do
    if complete "$d"; then
      found="$d"
    fi
  done
  [ -n "$found" ] && echo "$found"
}

# Prints the cached directories when every version asked for is there.
all_cached() {
  local v dir report=""
  for v in "${wanted[@]}"; do
    dir="$(cached "$v")" || return 1
    report+="kube-apiserver: cached in $dir"$'\n'
  done
  printf '%s' "$report"
}

if all_cached; then
  exit 0
fi

mkdir -p "$ROOT"
cd "$ROOT"
# One build at a time per cache directory; a second caller waits and then finds the result.
exec 9>"$ROOT/.lock"
flock 9
if all_cached; then
  exit 0
fi

: >"$log"
# Modules and compiled packages stay under the cache directory, so a rebuild is quick. The
# machine's GOPROXY and GONOSUMDB settings apply; its GOFLAGS do not.
export GOPATH="$ROOT/go" GOMODCACHE="$ROOT/go/mod" GOCACHE="$ROOT/go/build-cache" \
  GOFLAGS="-mod=mod -modcacherw -buildvcs=false" GOTOOLCHAIN=local GOWORK=off \
  CGO_ENABLED=0 GOOS=linux GOARCH="$arch"
go_version="$(go env GOVERSION | sed 's/^go//')"

# The newest release among the proxy's versions of a module, optionally within a minor prefix
# such as v1.33 ("go list" prints them in semantic-version order, oldest first).
newest() {
  go list -m -versions "$1" | tr ' ' '\n' | awk -v prefix="${2:+$2.}" '
    /^v[0-9]+\.[0-9]+\.[0-9]+$/ && (prefix == "" || index($0, prefix) == 1)' | tail -n 1
}

# "go list -m" of a module version: its go.mod file, the Go it asks for, and its commit.
module_info() {
  go list -m -f '{{.GoMod}} {{.GoVersion}} {{with .Origin}}{{.Hash}}{{end}}' "$1@$2"
}

at_least() { # version $1 >= version $2
  [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$2" ]
}

# The modules a go.mod both requires and replaces with a directory of its own repository (the
# staging modules of Kubernetes), each as a replace directive for the published module at
# version $2.
published_replacements() {
  awk -v ver="$2" '
    /^replace \($/ { inreplace = 1; next }
    /^require \($/ { inrequire = 1; next }
    /^\)$/ { inreplace = inrequire = 0; next }
    inrequire && NF >= 2 { required[$1] = 1 }
    inreplace && $2 == "=>" && $3 ~ /^\.\.?\// { replaced[$1] = 1 }
    /^require [^(]/ { required[$2] = 1 }
    /^replace [^(]/ && $3 == "=>" && $4 ~ /^\.\.?\// { replaced[$2] = 1 }
    END { for (m in replaced) if (m in required) print "\t" m " => " m " " ver }
  ' "$1" | sort
}

# The go and godebug lines of a dependency's go.mod: godebug settings apply only in the main
# module, so the throwaway module repeats them to build as the project itself does.
go_lines() {
  awk '/^go / || /^godebug [^(]/ { print } /^godebug \($/,/^\)$/ { print }' "$1"
}

build_one() {
  local spec="$1" kube t0=$SECONDS
  step="finding the Kubernetes release for '$spec' on the module proxy"
  case "$spec" in
    latest) kube="$(newest "$KUBERNETES")" ;;
    *.*.*) kube="v$spec" ;;
    *) kube="$(newest "$KUBERNETES" "v$spec")" ;;
  esac
  [ -n "$kube" ] || die "the module proxy has no release of $KUBERNETES for '$spec'"
  local kube_mod kube_go kube_commit
  read -r kube_mod kube_go kube_commit < <(module_info "$KUBERNETES" "$kube") || true
  [ -s "$kube_mod" ]
  # For "latest": the newest release this Go can build, should the newest ask for a newer Go.
  while [ "$spec" = latest ] && ! at_least "$go_version" "$kube_go"; do
    local major_minor="${kube%.*}"
    local older="v1.$((${major_minor#v1.} - 1))"
    echo "kube-apiserver: $KUBERNETES $kube needs Go $kube_go, this is Go $go_version;" \
      "trying $older"
    kube="$(newest "$KUBERNETES" "$older")"
    [ -n "$kube" ]
    read -r kube_mod kube_go kube_commit < <(module_info "$KUBERNETES" "$kube") || true
  done
  at_least "$go_version" "$kube_go" \
    || die "$KUBERNETES $kube needs Go $kube_go or newer; this is Go $go_version"
  local version="${kube#v}"
  local dir="$ROOT/k8s/$version-linux-$arch"
  if complete "$dir"; then
    echo "kube-apiserver: cached in $dir"
    return 0
  fi

  # etcd: the newest patch of the etcd minor this release's client pins.
  step="finding the etcd release for Kubernetes $kube"
  local etcd_client etcd etcd_mod etcd_go etcd_commit
  etcd_client="$(awk '$1 == "go.etcd.io/etcd/client/v3" { print $2; exit }' "$kube_mod")"
  [ -n "$etcd_client" ]
  etcd="$(newest "$ETCD" "${etcd_client%.*}")"
  [ -n "$etcd" ]
  read -r etcd_mod etcd_go etcd_commit < <(module_info "$ETCD" "$etcd") || true
  [ -s "$etcd_mod" ]
  at_least "$go_version" "$etcd_go" \
    || die "$ETCD $etcd needs Go $etcd_go or newer; this is Go $go_version"

  # Kubernetes publishes its staging modules (k8s.io/api, k8s.io/apiserver, ...) as
  # v0.<minor>.<patch>.
  local staging="v0.${version#*.}"
  local build="$ROOT/build/kubernetes-$kube"
  step="writing the module that builds $KUBERNETES $kube ($build)"
  rm -rf "$build"
  mkdir -p "$build/kube" "$build/etcd" "$build/bin"
  {
    echo "module inflight.test/kube-apiserver"
    echo
    go_lines "$kube_mod"
    echo
    echo "require $KUBERNETES $kube"
    echo
    echo "replace ("
    published_replacements "$kube_mod" "$staging"
    echo ")"
  } >"$build/kube/go.mod"
  # etcd's server module requires its sibling modules at their published versions already.
  {
    echo "module inflight.test/etcd"
    echo
    go_lines "$etcd_mod"
    echo
    echo "require $ETCD $etcd"
  } >"$build/etcd/go.mod"

  # The version stamps Kubernetes' own build sets (hack/lib/version.sh): without them the
  # server calls itself v0.0.0 and its emulated version is wrong. The commit is known only when
  # the proxy reports the module's origin.
  local stamp="" key value
  for key in gitVersion gitMajor gitMinor gitCommit gitTreeState buildDate; do
    case "$key" in
      gitVersion) value="$kube" ;;
      gitMajor) value="${version%%.*}" ;;
      gitMinor) value="$(echo "$version" | cut -d. -f2)" ;;
      gitCommit) value="$kube_commit" ;;
      gitTreeState) value=clean ;;
      buildDate) value="$(date -u +%Y-%m-%dT%H:%M:%SZ)" ;;
    esac
    stamp+=" -X k8s.io/client-go/pkg/version.$key=$value"
    stamp+=" -X k8s.io/component-base/version.$key=$value"
  done

  step="building kube-apiserver and kubectl of $KUBERNETES $kube (go build; the log is $log)"
  echo "kube-apiserver: building kube-apiserver and kubectl $kube and etcd $etcd" \
    "with Go $go_version (10 to 15 minutes on 2 cores, under a minute once the Go cache is warm)"
  go -C "$build/kube" build -p 2 -trimpath -ldflags "-s -w$stamp" -o "$build/bin/" \
    "$KUBERNETES/cmd/kube-apiserver" "$KUBERNETES/cmd/kubectl" >>"$log" 2>&1
  step="building etcd $etcd (go build $ETCD; the log is $log)"
  go -C "$build/etcd" build -p 2 -trimpath \
    -ldflags "-s -w${etcd_commit:+ -X go.etcd.io/etcd/api/v3/version.GitSHA=${etcd_commit:0:7}}" \
    -o "$build/bin/etcd" "$ETCD" >>"$log" 2>&1

  step="checking the versions the binaries report"
  local reported
  reported="$("$build/bin/kube-apiserver" --version; "$build/bin/kubectl" version --client
    "$build/bin/etcd" --version)"
  echo "$reported" >>"$log"
  grep -qx "Kubernetes $kube" <<<"$reported"
  grep -qx "Client Version: $kube" <<<"$reported"
  grep -qx "etcd Version: ${etcd#v}" <<<"$reported"

  step="laying out the binaries for kube-api-test"
  rm -rf "$dir"
  mkdir -p "$dir"
  cp "$build/bin/kube-apiserver" "$build/bin/kubectl" "$build/bin/etcd" "$dir/"
  {
    echo "recipe $RECIPE"
    echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - t0)) s with Go $go_version from:"
    echo "  $KUBERNETES $kube${kube_commit:+ (commit $kube_commit)}"
    echo "  $ETCD $etcd${etcd_commit:+ (commit $etcd_commit)}"
  } >"$dir/.complete"
  rm -rf "$build"
  echo "kube-apiserver: built $version (etcd ${etcd#v}) in $((SECONDS - t0)) s into $dir"
}

for v in "${wanted[@]}"; do
  build_one "$v"
done
rmdir "$ROOT/build" 2>/dev/null || true
