#!/usr/bin/env bash
# Runs NexusOMS on embedded defaults: the API with its in-process worker, a SQLite store in
# the repository's ./data (NEXUS_DATA_DIR to change it), and the demo data set, which a second
# start finds and keeps. Works from any folder. Any argument is passed on to nexus-api.
#
# A debug build, so a fresh clone serves in a few minutes instead of the release build's
# eight; password hashing is optimised even there (see Cargo.toml). Production runs release
# binaries: docs/DEPLOYMENT.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$repo"
exec cargo run --bin nexus-api -- --demo "$@"
