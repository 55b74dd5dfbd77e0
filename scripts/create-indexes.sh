#!/usr/bin/env bash
# `nexus-admin create-indexes`; options: `scripts/create-indexes.sh --help`. Paths are relative to where you run it.
set -euo pipefail
exec cargo run --release -q --manifest-path "$(dirname "$0")/../Cargo.toml" -p nexus-admin -- create-indexes "$@"
