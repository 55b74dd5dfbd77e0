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

# The MongoDB adapter's tests run against SecantusDB, a MongoDB wire-compatible server from
# PyPI (GPL-2.0: a test tool only, never shipped), in a virtual environment under target/.
# The tests start their own instance on a free port; NEXUS_TEST_MONGODB_URI (a real mongod
# replica set) takes its place where set.
secantus=target/secantus
if ! "$secantus/bin/python" -c 'import secantus' >/dev/null 2>&1; then
  rm -rf "$secantus"
  mkdir -p target
  if ! python3 -m venv "$secantus" >/dev/null 2>&1; then
    # Debian and Ubuntu ship venv separately.
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv >/dev/null
    fi
    rm -rf "$secantus"
    python3 -m venv "$secantus" || {
      echo "python3 -m venv failed: install python3-venv (Debian/Ubuntu: apt-get install python3-venv)" >&2
      exit 1
    }
  fi
  "$secantus/bin/pip" install --quiet secantusdb || {
    echo "secantusdb could not be installed from PyPI into $secantus" >&2
    exit 1
  }
fi
export NEXUS_SECANTUS_PYTHON="$PWD/$secantus/bin/python"

# Schemathesis, the property-based API tester, checks the OpenAPI document against the real
# server (api/tests/schemathesis.rs starts its own); pinned so runs stay reproducible.
schemathesis=target/schemathesis
schemathesis_version=4.32.5
if ! "$schemathesis/bin/st" --version 2>/dev/null | grep -q "$schemathesis_version"; then
  rm -rf "$schemathesis"
  mkdir -p target
  python3 -m venv "$schemathesis" && "$schemathesis/bin/pip" install --quiet "schemathesis==$schemathesis_version" || {
    echo "schemathesis could not be installed from PyPI into $schemathesis" >&2
    exit 1
  }
fi
export NEXUS_SCHEMATHESIS="$PWD/$schemathesis/bin/st"

# newman runs the shipped Postman collection against a fresh server
# (api/tests/postman_collection.rs); pinned, installed under target/ from npm.
newman=target/newman
newman_version=6.2.2
if ! "$newman/node_modules/.bin/newman" --version 2>/dev/null | grep -qx "$newman_version"; then
  if ! command -v npm >/dev/null 2>&1; then
    if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    else
      echo "npm is missing: install Node.js and npm (Debian/Ubuntu: sudo apt-get install nodejs npm)" >&2
      exit 1
    fi
  fi
  rm -rf "$newman"
  mkdir -p "$newman"
  npm install --silent --no-audit --no-fund --prefix "$newman" "newman@$newman_version" >/dev/null || {
    echo "newman could not be installed from npm into $newman" >&2
    exit 1
  }
fi
export NEXUS_NEWMAN="$PWD/$newman/node_modules/.bin/newman"

echo "== formatting"
cargo fmt --all -- --check

echo "== lints"
cargo clippy --workspace --all-targets --all-features -- -D warnings

echo "== tests"
cargo test --workspace --all-features

# The API's end-to-end suites that matter most for a distributor switching over, again on
# MongoDB (the production store): the same test binaries, with NEXUS_TEST_STORE=mongo.
echo "== API end-to-end on MongoDB"
NEXUS_TEST_STORE=mongo cargo test --workspace --all-features \
  --test auth --test orders --test order_lifecycle --test clearance --test bulk_import_e2e \
  --test jobs --test products --test customers --test warehouses --test legacy_app
