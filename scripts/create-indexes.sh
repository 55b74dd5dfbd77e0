#!/usr/bin/env bash
# `nexus-admin create-indexes`; options: `scripts/create-indexes.sh --help`. Paths are relative to where you run it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
admin create-indexes "$@"
