#!/usr/bin/env bash
# `npm run demo`: the set-up step (installs what is missing, builds pkg/ and dist/, generates the Prisma clients),
# then the demo: the emulator as Pipedrive, a seeded SQLite CRM (.tmp/demo.db, recreated every run), the warm
# leads synced with a progress bar, and a summary. Arguments go to the demo (`npm run demo -- --plan premium`).
# With PIPEDRIVE_API_TOKEN set it talks to real Pipedrive instead (PIPEDRIVE_BASE_URL, default
# https://api.pipedrive.com). It runs under tsx because the generated Prisma client is TypeScript.
set -euo pipefail
cd "$(dirname "$0")/../.."

bash js/scripts/setup.sh

printf '\n==> %s\n' "demo: node --import tsx js/cli/main.ts demo $*"
exec node --import tsx js/cli/main.ts demo "$@"
