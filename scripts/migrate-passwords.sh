#!/usr/bin/env bash
# `nexus-admin migrate-passwords`; options: `scripts/migrate-passwords.sh --help`. Paths are relative to where you run it.
set -euo pipefail
exec cargo run --release -q --manifest-path "$(dirname "$0")/../Cargo.toml" -p nexus-admin -- migrate-passwords "$@"
