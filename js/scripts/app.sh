#!/usr/bin/env bash
# `npm run app`: the set-up step (installs what is missing, builds pkg/ and dist/), then the reference CRM
# (examples/next-crm) built from the package's tarball and started against the emulator, with the URL printed
# (js/scripts/run_app.ts). Arguments go to the launcher (`npm run app -- --port 3100`).
set -euo pipefail
cd "$(dirname "$0")/../.."

bash js/scripts/setup.sh

printf '\n==> %s\n' "app: node --import tsx js/scripts/run_app.ts $*"
exec node --import tsx js/scripts/run_app.ts "$@"
