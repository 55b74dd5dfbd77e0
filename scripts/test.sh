#!/usr/bin/env bash
# Runs the whole NexusOMS test suite. Everything the tests need is installed or started here
# (tests start their own servers on free ports; nothing already running is relied on).
set -euo pipefail
cd "$(dirname "$0")/.."

export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"
export RUST_BACKTRACE=1

echo "== test dependencies"
# The Redis event-bus tests start their own redis-server on a free port (never 6379).
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server >/dev/null
    # The package starts a system service on 6379; the tests do not use it.
  else
    echo "redis-server is missing: install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis)" >&2
  fi
fi

# The S3 blob tests run against moto's S3-compatible server, started by the tests on a free
# loopback port; without moto they fail (they never skip).
if ! python3 -c 'import moto.server' >/dev/null 2>&1; then
  python3 -m pip install --quiet 'moto[server]' || {
    echo "moto could not be installed: run python3 -m pip install 'moto[server]'" >&2
    exit 1
  }
fi

echo "== formatting"
cargo fmt --all -- --check

echo "== lints"
cargo clippy --workspace --all-targets --all-features -- -D warnings

echo "== tests"
cargo test --workspace --all-features
