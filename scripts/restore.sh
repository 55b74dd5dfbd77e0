#!/usr/bin/env bash
# `nexus-admin restore`; options: `scripts/restore.sh --help`. Paths are relative to where you run it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
admin restore "$@"
