# Sourced by the wrappers in this folder, never run. Every wrapper works from any current
# folder and on the same data as ./scripts/run.sh: the repository's ./data, unless
# NEXUS_DATA_DIR (or NEXUS_DB_PATH, or MONGODB_URI) says otherwise. Paths given as arguments
# stay relative to the folder the wrapper was called from.
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export NEXUS_DATA_DIR="${NEXUS_DATA_DIR:-$repo/data}"

# Runs one nexus-admin command (a debug build, like ./scripts/run.sh: quick to build, and the
# administration commands spend their time in the database, not in our code).
admin() {
  exec cargo run --manifest-path "$repo/Cargo.toml" --bin nexus-admin -- "$@"
}
