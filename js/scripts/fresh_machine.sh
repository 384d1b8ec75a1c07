#!/usr/bin/env bash
# The fresh-machine rehearsal (not part of `npm test`: it takes about 13 minutes on 2 cores). It clones this
# repository's committed HEAD into a new temporary folder with nothing beside the clone, hides every tool that
# `cargo install` put on this machine (wasm-pack, wasm-bindgen, wasm-bindgen-test-runner, ...) and points
# CARGO_INSTALL_ROOT at an empty folder, so that each install step of the set-up really runs; then the set-up,
# `npm run demo` and `npm test` in the clone, printing how long each took. The PostgreSQL suites run when
# TEST_POSTGRES_URL is set, as in CI. `--keep` leaves the folder for a look; it is kept anyway when a step fails.
# Debian's chromium (for the browser tests) is a system package and cannot be hidden this way: to rehearse its
# install step too, `apt-get remove -y chromium` first.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
keep=false
[ "${1:-}" = "--keep" ] && keep=true

# The clone's parent folder holds the clone alone; the tools' folders are elsewhere.
work=$(mktemp -d "${TMPDIR:-/tmp}/pipedrive-sync-fresh.XXXXXX")
tools=$(mktemp -d "${TMPDIR:-/tmp}/pipedrive-sync-tools.XXXXXX")
clone="$work/pipedrive-sync"
cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"

# A bin folder with rustup's proxies (cargo, rustc, rustfmt, clippy, ...) and none of the cargo-installed tools.
installed=$(cargo install --list | awk '/^ / { print $1 }')
mkdir -p "$tools/bin" "$tools/cargo-install"
for tool in "$cargo_bin"/*; do
  name=$(basename "$tool")
  grep -qx "$name" <<<"$installed" || ln -s "$tool" "$tools/bin/$name"
done
fresh_path="$tools/bin"
IFS=: read -ra entries <<<"$PATH"
for entry in "${entries[@]}"; do
  [ "$entry" = "$cargo_bin" ] || fresh_path="$fresh_path:$entry"
done
for tool in wasm-pack wasm-bindgen wasm-bindgen-test-runner; do
  if found=$(PATH="$fresh_path" command -v "$tool"); then
    echo "fresh_machine: $tool is still on PATH at $found (outside cargo's bin folder); move it aside to rehearse" >&2
    exit 1
  fi
done

on_exit() {
  local status=$?
  if [ "$status" -ne 0 ]; then
    echo "fresh_machine: failed (exit $status); the clone is kept in $clone" >&2
  elif ! $keep; then
    rm -rf "$work" "$tools"
  else
    echo "fresh_machine: the clone is kept in $clone"
  fi
}
trap on_exit EXIT

timings=()
timed() {
  local label=$1 started=$SECONDS
  shift
  printf '\n==> fresh_machine: %s\n' "$label"
  "$@"
  timings+=("$(printf '%-34s %5d s' "$label" $((SECONDS - started)))")
}

cd "$work"
timed "git clone (HEAD $(git -C "$repo" rev-parse --short HEAD))" git clone -q "$repo" "$clone"
cd "$clone"
echo "clone: $clone (nothing beside it: $(ls "$work" | tr '\n' ' '))"
echo "PATH without cargo-installed tools; CARGO_INSTALL_ROOT=$tools/cargo-install"
export PATH="$fresh_path" CARGO_INSTALL_ROOT="$tools/cargo-install"
unset DATABASE_URL

timed "first set-up (npm run setup)" npm run --silent setup
timed "npm run demo" npm run --silent demo
timed "npm test" npm test

printf '\n==> fresh_machine: both README commands passed in a clone with nothing beside it\n'
printf '%s\n' "${timings[@]}"
