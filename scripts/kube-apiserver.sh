#!/usr/bin/env bash
# A real Kubernetes API server for the test suite, built from Debian packages only, once per
# machine: kube-apiserver and kubectl from Debian's kubernetes source package, compiled with
# Debian's Go, beside Debian's etcd, laid out for io.fabric8:kube-api-test's offline mode:
#
#   $INFLIGHT_KUBE_DIR/k8s/<version>-linux-<arch>/{kube-apiserver,etcd,kubectl}
#
# INFLIGHT_KUBE_DIR defaults to ${XDG_CACHE_HOME:-~/.cache}/inflight/kube, outside the repository.
# Idempotent: when the binaries of this recipe are there it prints their directory and exits at
# once. A cold build takes 5 to 8 minutes on 2 cores. The system is not changed: apt runs with
# its own sources list, package lists and archives under the cache directory, and packages are
# unpacked with dpkg -x, not installed.
#
# Needs apt-get, dpkg-source (dpkg-dev) and make, and Debian 12 (bookworm) package names.
# INFLIGHT_KUBE_KEEP_BUILD=1 keeps the build tree (about 2 GB) for inspection.
set -euo pipefail

ROOT="${INFLIGHT_KUBE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/inflight/kube}"
# Bumped whenever the recipe below changes what gets built, so that caches are rebuilt.
RECIPE=2
SOURCE_PACKAGE=kubernetes
GO_PACKAGES=(golang-1.19-go golang-1.19-src)
# etcd for the server; rsync (and its libpopt0) for Kubernetes' make rules; Debian's reflect2
# 1.0.2, because the vendored 1.0.1 crashes under Go 1.18+ on the first custom-resource request.
OTHER_PACKAGES=(etcd-server rsync libpopt0 golang-github-modern-go-reflect2-dev)

step="starting"
log="$ROOT/build.log"
fail() {
  echo "kube-apiserver.sh: failed while $step" >&2
  if [ -s "$log" ]; then
    echo "--- last lines of $log:" >&2
    tail -n 25 "$log" >&2
  fi
  exit 1
}
trap fail ERR

arch="$(dpkg --print-architecture)"
layout_glob="$ROOT/k8s/*-linux-$arch"

# The cached result: a directory with the three binaries and the stamp written last.
cached() {
  local d
  for d in $layout_glob; do
    if [ "$(head -n 1 "$d/.complete" 2>/dev/null)" = "recipe $RECIPE" ] \
      && [ -x "$d/kube-apiserver" ] && [ -x "$d/etcd" ] && [ -x "$d/kubectl" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

if dir="$(cached)"; then
  echo "kube-apiserver: cached in $dir"
  exit 0
fi

step="checking the tools (apt-get, dpkg-source from dpkg-dev, make)"
for tool in apt-get dpkg-source make; do
  command -v "$tool" >/dev/null || {
    echo "kube-apiserver.sh: $tool is missing; install dpkg-dev and make" >&2
    exit 1
  }
done

mkdir -p "$ROOT"
# One build at a time per cache directory; a second caller waits and then finds the result.
exec 9>"$ROOT/.lock"
flock 9
if dir="$(cached)"; then
  echo "kube-apiserver: cached in $dir"
  exit 0
fi

started=$SECONDS
: >"$log"
apt_dir="$ROOT/apt"
downloads="$ROOT/downloads"
build="$ROOT/build"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/archives/partial" "$downloads"

step="writing a private apt sources list with deb-src lines"
# The machine's own Debian mirror and suites (whatever apt is configured with), plus the
# matching deb-src lines, without touching the system's configuration.
codename="$(. /etc/os-release && echo "${VERSION_CODENAME:-}")"
apt-get indextargets --no-release-info --format '$(TARGET_OF) $(REPO_URI) $(RELEASE) $(COMPONENT)' \
  | awk -v c="$codename" '$1 == "deb" && $4 == "main" && ($3 == c || $3 == c "-updates" || $3 == c "-security") {
      print "deb " $2 " " $3 " main"; print "deb-src " $2 " " $3 " main" }' \
  | sort -u >"$apt_dir/sources.list"
if [ ! -s "$apt_dir/sources.list" ]; then
  echo "kube-apiserver.sh: apt has no Debian '$codename' main suite configured" >&2
  exit 1
fi
APT=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir" -o "Dir::Cache::Archives=$apt_dir/archives"
  -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache=" -o "APT::Sandbox::User=$(id -un)")

step="updating the private package lists (apt-get update)"
echo "kube-apiserver: fetching package lists"
apt-get "${APT[@]}" -q update >>"$log" 2>&1

step="downloading the $SOURCE_PACKAGE source package (apt-get source --download-only)"
echo "kube-apiserver: downloading the $SOURCE_PACKAGE source and ${GO_PACKAGES[*]} ${OTHER_PACKAGES[*]}"
rm -f "$downloads"/*
(cd "$downloads" && apt-get "${APT[@]}" -q source --download-only "$SOURCE_PACKAGE") >>"$log" 2>&1
step="downloading ${GO_PACKAGES[*]} ${OTHER_PACKAGES[*]} (apt-get download)"
(cd "$downloads" && apt-get "${APT[@]}" -q download "${GO_PACKAGES[@]}" "${OTHER_PACKAGES[@]}") >>"$log" 2>&1

step="unpacking the packages (dpkg -x) and the source (dpkg-source -x)"
rm -rf "$build"
mkdir -p "$build/root"
for deb in "$downloads"/*.deb; do
  dpkg -x "$deb" "$build/root"
done
dpkg-source -x "$downloads"/"$SOURCE_PACKAGE"_*.dsc "$build/src" >>"$log" 2>&1
src="$build/src"
goroot="$(echo "$build"/root/usr/lib/go-*)"
[ -x "$goroot/bin/go" ]

step="replacing the vendored github.com/modern-go/reflect2 with Debian's 1.0.2"
reflect2="$src/vendor/github.com/modern-go/reflect2"
license="$(cat "$reflect2/LICENSE")"
rm -rf "$reflect2"
cp -r "$build/root/usr/share/gocode/src/github.com/modern-go/reflect2" "$reflect2"
rm -f "$reflect2/go.mod"
printf '%s\n' "$license" >"$reflect2/LICENSE"
sed -i 's#github.com/modern-go/reflect2 v1\.0\.1#github.com/modern-go/reflect2 v1.0.2#g' \
  "$src/go.mod" "$src/vendor/modules.txt"

step="removing the zero-value check that makes Go 1.16+ builds reject empty strings"
# Kubernetes 1.20 was released built with Go 1.15. Under Go 1.16+ the OpenAPI validator's
# "reflect.DeepEqual(reflect.Zero(...), reflect.ValueOf(data))" becomes true for "", so every
# empty string in a custom resource (and a CRD default of "") is refused as "must be of type
# string: null" (kubernetes/kubernetes#99804). The fix Kubernetes 1.21 took (kube-openapi#230,
# go-openapi/validate#138) checks for nil only.
for f in "$src/vendor/k8s.io/kube-openapi/pkg/validation/validate/type.go" \
  "$src/vendor/github.com/go-openapi/validate/type.go"; do
  grep -q 'data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data))' "$f"
  sed -i 's/data == nil || reflect.DeepEqual(reflect.Zero(reflect.TypeOf(data)), reflect.ValueOf(data))/data == nil/' "$f"
done

step="building cmd/kube-apiserver and cmd/kubectl (make WHAT=...; the log is $log)"
echo "kube-apiserver: building kube-apiserver and kubectl with $("$goroot/bin/go" version | cut -d' ' -f3) (about 8 minutes on 2 cores)"
# rsync from the unpacked package, with its library beside it.
mkdir -p "$build/tools"
cat >"$build/tools/rsync" <<EOF
#!/bin/sh
LD_LIBRARY_PATH="$(echo "$build"/root/usr/lib/*-linux-gnu*)" exec "$build/root/usr/bin/rsync" "\$@"
EOF
chmod +x "$build/tools/rsync"
(
  cd "$src"
  unset GOFLAGS GOPATH GOCACHE GOBIN
  # Kubernetes 1.20 builds in GOPATH mode, offline, and without cgo, as Debian's package does.
  export PATH="$build/tools:$goroot/bin:$PATH" GOROOT="$goroot" GOPROXY=off GOTOOLCHAIN=local \
    CGO_ENABLED=0 HOME="$build"
  make WHAT="cmd/kube-apiserver cmd/kubectl"
) >>"$log" 2>&1

step="laying out the binaries for kube-api-test"
version="$("$src/_output/bin/kube-apiserver" --version | sed -n 's/^Kubernetes v//p')"
[ -n "$version" ]
dir="$ROOT/k8s/$version-linux-$arch"
rm -rf "$dir"
mkdir -p "$dir"
cp "$src/_output/bin/kube-apiserver" "$src/_output/bin/kubectl" "$build/root/usr/bin/etcd" "$dir/"
{
  echo "recipe $RECIPE"
  echo "built $(date -u +%Y-%m-%dT%H:%M:%SZ) in $((SECONDS - started)) s from:"
  (cd "$downloads" && ls -1 ./*.dsc ./*.deb | sed 's#^\./#  #')
} >"$dir/.complete"
if [ "${INFLIGHT_KUBE_KEEP_BUILD:-0}" != 1 ]; then
  rm -rf "$build" "$downloads" "$apt_dir"
fi
echo "kube-apiserver: built $version in $((SECONDS - started)) s into $dir"
