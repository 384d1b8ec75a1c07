#!/usr/bin/env bash
# One idempotent set-up step: installs what is missing on a fresh machine, then builds pkg/ and dist/.
#   - the wasm32 Rust target, wasm-pack, and the wasm-bindgen-cli matching Cargo.lock (built with cargo install)
#   - npm packages (only when package-lock.json changed since the last install)
#   - the Prisma clients and the SQLite database (DATABASE_URL, default file:./prisma/dev.db)
# Everything it does is printed; a step that fails stops the set-up with its message.
set -euo pipefail
cd "$(dirname "$0")/../.."
export PATH="$HOME/.cargo/bin:$PATH"

step() { printf '\n==> %s\n' "$*"; }

if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  step "adding the Rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# The CLI must be exactly the wasm-bindgen version in Cargo.lock, or the generated glue will not load.
bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)
if [ -z "$bindgen_version" ]; then
  echo "could not read the wasm-bindgen version from Cargo.lock" >&2
  exit 1
fi
if ! command -v wasm-bindgen >/dev/null || [ "$(wasm-bindgen --version | awk '{print $2}')" != "$bindgen_version" ]; then
  step "building wasm-bindgen-cli $bindgen_version with cargo install (takes a few minutes the first time)"
  cargo install --locked --force wasm-bindgen-cli --version "$bindgen_version"
fi
if ! command -v wasm-pack >/dev/null; then
  step "building wasm-pack with cargo install (takes a few minutes the first time)"
  cargo install --locked wasm-pack
fi

# npm: reinstall only when the lock file changed since the last successful install.
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -f node_modules/.setup-lock-hash ] || [ "$(cat node_modules/.setup-lock-hash)" != "$lock_hash" ]; then
  step "installing npm packages (npm ci)"
  npm ci --no-audit --no-fund
  echo "$lock_hash" > node_modules/.setup-lock-hash
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
