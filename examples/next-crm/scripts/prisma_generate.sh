#!/usr/bin/env bash
# prisma_generate.sh: generates the app's Prisma clients from the reference schema pipedrive-sync ships
# (node_modules/pipedrive-sync/prisma/schema.prisma), offline, into prisma/generated/:
#
#   prisma/generated/sqlite.prisma      + sqlite/       the schema as shipped (SQLite), its client
#   prisma/generated/postgresql.prisma  + postgresql/   the same models for PostgreSQL (provider swapped), its client
#
# `prisma generate` never runs the schema engine, but the CLI insists on finding one: PRISMA_SCHEMA_ENGINE_BINARY is
# pointed at an existing file when unset, so that nothing is downloaded. A client is regenerated only when the
# shipped schema, the Prisma version or this script changed (a stamp beside it records their hash).
set -euo pipefail
cd "$(dirname "$0")/.."

SOURCE=node_modules/pipedrive-sync/prisma/schema.prisma
GENERATED=prisma/generated
[ -f "$SOURCE" ] || { echo "prisma_generate.sh: $SOURCE not found: install the app's packages first (npm install)" >&2; exit 1; }
[ -x node_modules/.bin/prisma ] || { echo "prisma_generate.sh: node_modules/.bin/prisma not found: npm install first" >&2; exit 1; }

export PRISMA_SCHEMA_ENGINE_BINARY="${PRISMA_SCHEMA_ENGINE_BINARY:-$(command -v node)}"
export PRISMA_HIDE_UPDATE_MESSAGE=1 CHECKPOINT_DISABLE=1
mkdir -p "$GENERATED"

# derive PROVIDER: the shipped schema with its provider and client output replaced (each must match exactly once).
derive() {
  local provider=$1 target="$GENERATED/$1.prisma" tmp
  tmp=$(mktemp "$GENERATED/.schema.XXXXXX")
  sed -e "s|^\(  provider *= *\)\"sqlite\"$|\1\"$provider\"|" -e "s|^\(  output *= *\)\"\./generated/sqlite\"$|\1\"./$provider\"|" "$SOURCE" > "$tmp"
  if [ "$(grep -c "^  output *= *\"\./$provider\"$" "$tmp")" != 1 ]; then
    rm -f "$tmp"
    echo "prisma_generate.sh: $SOURCE no longer has 'output = \"./generated/sqlite\"' on a line of its own" >&2
    exit 1
  fi
  cmp -s "$tmp" "$target" && rm -f "$tmp" || mv "$tmp" "$target"
}

version=$(node -p 'require("prisma/package.json").version')
for provider in sqlite postgresql; do
  derive "$provider"
  stamp="$GENERATED/$provider/.generated-from"
  want="$(sha256sum "$GENERATED/$provider.prisma" "$0" | cut -d' ' -f1 | tr '\n' ' ')$version"
  if [ -f "$GENERATED/$provider/client.ts" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    continue
  fi
  if ! log=$(node_modules/.bin/prisma generate --schema "$GENERATED/$provider.prisma" 2>&1); then
    echo "$log" >&2
    echo "prisma_generate.sh: generating the $provider client failed" >&2
    exit 1
  fi
  printf '%s' "$want" > "$stamp"
  echo "Generated the $provider Prisma client in $GENERATED/$provider"
done
