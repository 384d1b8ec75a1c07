#!/usr/bin/env bash
# `npm test`: the set-up step (installs what is missing, builds pkg/ and dist/), then every check and test layer.
# PostgreSQL suites run when TEST_POSTGRES_URL is set (.ci/run always sets it).
set -euo pipefail
cd "$(dirname "$0")/../.."
source js/scripts/cargo_path.sh
export NEXT_TELEMETRY_DISABLED=1

step() { printf '\n==> %s\n' "$*"; }

bash js/scripts/setup.sh

step "checks: cargo fmt, cargo clippy (native and wasm32, warnings denied), TypeScript"
cargo fmt --check
cargo clippy --quiet --all-targets -- -D warnings
cargo clippy --quiet --target wasm32-unknown-unknown --all-targets -- -D warnings
node_modules/.bin/tsc -p tests/tsconfig.json --noEmit

step "Rust unit tests (native cargo test)"
cargo test --quiet

step "wasm-bindgen-test under Node (cargo test --target wasm32-unknown-unknown)"
cargo test --target wasm32-unknown-unknown

if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  echo "note: TEST_POSTGRES_URL is not set, so the PostgreSQL suites will be skipped (.ci/run sets it)"
fi

step "JavaScript tests: facade, emulator, store, queue, warm leads, route handlers, CLI (SQLite and PostgreSQL)"
mapfile -t js_tests < <(find tests -name '*.test.ts' -not -path 'tests/e2e/*' | sort)
node --import tsx --test "${js_tests[@]}"

step "End-to-end tests: the npm pack tarball in an empty project, and the Next.js example app"
mapfile -t e2e_tests < <(find tests/e2e -name '*.test.ts' | sort)
node --import tsx --test --test-concurrency=1 "${e2e_tests[@]}"
