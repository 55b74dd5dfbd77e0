#!/usr/bin/env bash
# `nexus-admin backup`; options: `scripts/backup.sh --help`. Paths are relative to where you run it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
admin backup "$@"
