#!/usr/bin/env bash
# Builds the package: the Rust core to pkg/ (wasm-pack --target nodejs, then wasm-opt from the binaryen npm
# package), and the TypeScript facade to dist/. Prints the .wasm size raw and gzipped.
set -euo pipefail
cd "$(dirname "$0")/../.."
source js/scripts/cargo_path.sh

printf '\n==> building the wasm engine (wasm-pack, release)\n'
wasm-pack --quiet build --target nodejs --release --out-dir pkg --no-pack
wasm=pkg/pipedrive_sync_bg.wasm
node_modules/.bin/wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
  --enable-mutable-globals --enable-reference-types --enable-multivalue "$wasm" -o "$wasm.opt"
mv "$wasm.opt" "$wasm"
raw=$(stat -c %s "$wasm")
gz=$(gzip -9 -c "$wasm" | wc -c)
printf 'wasm size: %d bytes raw, %d bytes gzipped (%s KB gzipped; budget 250 KB)\n' "$raw" "$gz" "$(( (gz + 1023) / 1024 ))"

printf '\n==> compiling the TypeScript facade (tsc → dist/)\n'
rm -rf dist
node_modules/.bin/tsc -p tsconfig.json
chmod +x dist/cli/main.js 2>/dev/null || true
