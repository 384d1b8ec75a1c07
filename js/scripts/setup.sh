#!/usr/bin/env bash
# One idempotent set-up step: installs what is missing on a fresh machine, then builds pkg/ and dist/.
#   - the wasm32 Rust target, wasm-pack (pinned) and the wasm-bindgen-cli matching Cargo.lock (built with cargo
#     install: --locked first, without the lock when the registry lacks a crate version it names)
#   - npm packages (only when package-lock.json changed since the last install)
#   - Debian's chromium for the browser tests, when /usr/bin/chromium is missing (apt-get; never a browser download)
#   - the Prisma clients and the SQLite database (DATABASE_URL, default file:./prisma/dev.db)
# Everything it does is printed; a step that fails stops the set-up with its message.
set -euo pipefail
cd "$(dirname "$0")/../.."
source js/scripts/cargo_path.sh

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# cargo install CRATE VERSION: first with the lock file the crate was published with (--locked, reproducible);
# when that lock names a crate version the registry no longer serves, resolution fails and it installs again
# without the lock (the newest compatible versions), saying so.
cargo_install() {
  local crate=$1 version=$2 log
  log=$(mktemp)
  if cargo install --locked --force "$crate" --version "$version" 2>&1 | tee "$log"; then
    rm -f "$log"
    return 0
  fi
  if grep -q "failed to select a version\|failed to resolve\|no matching package" "$log"; then
    echo "note: $crate $version's published lock file names a crate version this registry does not serve; installing without --locked"
    rm -f "$log"
    cargo install --force "$crate" --version "$version"
  else
    rm -f "$log"
    return 1
  fi
}

# The CLI must be exactly the wasm-bindgen version in Cargo.lock, or the generated glue will not load.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$bindgen_version" ]; then
  step "building wasm-bindgen-cli $bindgen_version with cargo install into $install_bin (3-6 minutes on 2 cores, once)"
  started=$SECONDS
  cargo_install wasm-bindgen-cli "$bindgen_version"
  echo "wasm-bindgen-cli $bindgen_version installed in $((SECONDS - started)) s"
fi
# wasm-pack is pinned too, so every machine builds pkg/ the same way.
wasm_pack_version=0.15.1
if ! command -v wasm-pack >/dev/null || [ "$(wasm-pack --version | awk '{print $2}')" != "$wasm_pack_version" ]; then
  step "building wasm-pack $wasm_pack_version with cargo install into $install_bin (3-6 minutes on 2 cores, once)"
  started=$SECONDS
  cargo_install wasm-pack "$wasm_pack_version"
  echo "wasm-pack $wasm_pack_version installed in $((SECONDS - started)) s"
fi

# npm: reinstall only when the lock file changed since the last successful install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.setup-lock-hash ] || [ "$(cat node_modules/.setup-lock-hash)" != "$lock_hash" ]; then
  step "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.setup-lock-hash
fi

# Chromium for the browser tests (tests/e2e/reference_crm.test.ts): Debian's package, never a browser download.
# CHROMIUM_PATH names another Chromium; PIPEDRIVE_SYNC_NO_BROWSER=1 skips the install (the browser suite then
# fails with what is missing).
chromium_path=${CHROMIUM_PATH:-/usr/bin/chromium}
if [ ! -x "$chromium_path" ] && [ -z "${PIPEDRIVE_SYNC_NO_BROWSER:-}" ]; then
  step "installing Debian's chromium for the browser tests (apt-get install chromium, about a minute)"
  started=$SECONDS
  sudo_cmd=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "installing chromium needs root or sudo: run 'apt-get install -y chromium' as root, or set CHROMIUM_PATH" >&2; exit 1; }
    sudo_cmd=(sudo -n)
  fi
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x "$chromium_path" ] || { echo "apt-get installed chromium, but $chromium_path is still missing" >&2; exit 1; }
  echo "$("$chromium_path" --version 2>/dev/null || echo chromium) installed in $((SECONDS - started)) s"
fi

bash js/scripts/build.sh

if [ -f js/scripts/prisma_generate.sh ]; then
  step "generating the Prisma clients"
  bash js/scripts/prisma_generate.sh
fi
if [ -f js/scripts/db_migrate.ts ]; then
  step "migrating ${DATABASE_URL:-file:./prisma/dev.db}"
  node --import tsx js/scripts/db_migrate.ts
fi
