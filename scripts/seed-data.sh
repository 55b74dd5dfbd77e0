#!/usr/bin/env bash
# `nexus-admin seed`; options: `scripts/seed-data.sh --help`. Paths are relative to where you run it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
admin seed "$@"
