#!/usr/bin/env bash
# Runs NexusOMS on embedded defaults: the API with its in-process worker, a SQLite store in
# ./data, and the demo data set. Any argument is passed on to nexus-api.
set -euo pipefail
cd "$(dirname "$0")/.."
exec cargo run --release -q -p nexus-api -- --demo "$@"
