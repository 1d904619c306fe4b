#!/usr/bin/env bash
# Prints the path of a promtool for the test suite (PromtoolTest), providing one when the machine
# has none:
#
#   1. $INFLIGHT_PROMTOOL, when set (it must be executable);
#   2. promtool on PATH;
#   3. the copy cached in ${XDG_CACHE_HOME:-~/.cache}/inflight/promtool (outside the repository);
#   4. else Debian's prometheus package is downloaded with apt-get (not installed: no service is
#      set up or started) and its promtool copied into that cache; or, without apt, promtool is
#      built with the machine's Go (1.26) from the Go module proxy into the same cache (about 12
#      minutes of CPU time the first time). The rules and their tests pass with both promtools.
#
# Idempotent and quiet once cached. Exits non-zero with what to do when none of these works.
set -euo pipefail

ROOT="${INFLIGHT_PROMTOOL_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/inflight/promtool}"
# The Go module of a Prometheus 3 release (tags v3.x.y are published as v0.3xx.y); needs Go 1.26.
PROMETHEUS_MODULE_VERSION=v0.316.0

die() {
  echo "promtool.sh: $*" >&2
  exit 1
}

works() { [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

if [ -n "${INFLIGHT_PROMTOOL:-}" ]; then
  works "$INFLIGHT_PROMTOOL" || die "INFLIGHT_PROMTOOL=$INFLIGHT_PROMTOOL does not run"
  echo "$INFLIGHT_PROMTOOL"
  exit 0
fi
if found="$(command -v promtool 2>/dev/null)" && works "$found"; then
  echo "$found"
  exit 0
fi
if works "$ROOT/bin/promtool"; then
  echo "$ROOT/bin/promtool"
  exit 0
fi

mkdir -p "$ROOT/bin"
exec 9>"$ROOT/.lock"
flock 9
if works "$ROOT/bin/promtool"; then
  echo "$ROOT/bin/promtool"
  exit 0
fi

from_debian() {
  command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null || return 1
  local tmp
  tmp="$(mktemp -d)"
  # apt-get download needs the package lists; refresh them once if it cannot find the package.
  if ! (cd "$tmp" && apt-get download -qq prometheus >/dev/null 2>&1); then
    [ "$(id -u)" = 0 ] || { rm -rf "$tmp"; return 1; }
    apt-get update -qq >/dev/null 2>&1 || true
    (cd "$tmp" && apt-get download -qq prometheus >/dev/null 2>&1) || { rm -rf "$tmp"; return 1; }
  fi
  dpkg-deb -x "$tmp"/prometheus_*.deb "$tmp/x"
  cp "$tmp/x/usr/bin/promtool" "$ROOT/bin/promtool.new"
  mv "$ROOT/bin/promtool.new" "$ROOT/bin/promtool"
  rm -rf "$tmp"
  echo "promtool.sh: promtool from Debian's prometheus package, cached in $ROOT/bin" >&2
}

from_go() {
  if ! command -v go >/dev/null && [ -x /usr/local/go/bin/go ]; then
    PATH="/usr/local/go/bin:$PATH"
  fi
  command -v go >/dev/null || return 1
  echo "promtool.sh: building promtool $PROMETHEUS_MODULE_VERSION with $(go env GOVERSION)" \
    "(about 12 minutes of CPU time and 3 GB of module cache the first time)" >&2
  GOPATH="$ROOT/go" GOMODCACHE="$ROOT/go/mod" GOCACHE="$ROOT/go/build-cache" GOBIN="$ROOT/bin" \
    GOFLAGS="-modcacherw" CGO_ENABLED=0 \
    go install "github.com/prometheus/prometheus/cmd/promtool@$PROMETHEUS_MODULE_VERSION" >&2
}

from_debian || from_go || true
works "$ROOT/bin/promtool" \
  || die "no promtool: install Debian's prometheus package or Prometheus' release, put promtool" \
    "on PATH or set INFLIGHT_PROMTOOL (neither apt-get nor Go could provide it here)"
echo "$ROOT/bin/promtool"
