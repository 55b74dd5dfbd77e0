#!/usr/bin/env bash
# `nexus-admin backup`; options: `scripts/backup.sh --help`. Paths are relative to where you run it.
set -euo pipefail
exec cargo run --release -q --manifest-path "$(dirname "$0")/../Cargo.toml" -p nexus-admin -- backup "$@"
