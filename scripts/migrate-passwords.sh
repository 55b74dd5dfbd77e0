#!/usr/bin/env bash
# `nexus-admin migrate-passwords`; options: `scripts/migrate-passwords.sh --help`. Paths are relative to where you run it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
admin migrate-passwords "$@"
