/**
 * @module scripts/run_app
 * `npm run app` (after the set-up step, `js/scripts/app.sh`): builds the reference CRM (examples/next-crm) from
 * the package's `npm pack` tarball, starts the emulator as Pipedrive (seeded to match the app), and `next start`
 * of the app on a fresh SQLite database with an in-process drain and webhooks v2 from the emulator back to the app.
 * Prints the URL and the sign-in; runs until Ctrl-C. `--port N` (default 3000, or `PORT`).
 */

import path from 'node:path';

import { SEED_PASSWORD, SEED_USERS } from '../../examples/next-crm/lib/seed/seed_data';
import { SCRATCH } from './package_tarball';
import { buildReferenceCrm } from './reference_crm_build';
import { startReferenceStack } from './reference_crm_stack';

/** The port from `--port N`, else `PORT`, else 3000. */
function portArgument(argv: string[]): number {
  const index = argv.indexOf('--port');
  const raw = index >= 0 ? argv[index + 1] : (process.env.PORT ?? '3000');
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    console.error(`run_app: --port must be a port number 1..65535, got ${raw ?? 'nothing'}`);
    process.exit(2);
  }
  return port;
}

async function main(): Promise<void> {
  const port = portArgument(process.argv.slice(2));
  const step = (text: string) => console.log(`\n==> app: ${text}`);
  buildReferenceCrm(step);
  step(`starting the emulator and the app on port ${port}`);
  const stack = await startReferenceStack({ databaseDir: path.join(SCRATCH, 'app'), port });
  const { crm, emulator } = stack;
  const user = SEED_USERS[0];
  console.log(`
The reference CRM is running at ${crm.url}
  sign in as ${user.email} / ${SEED_PASSWORD} (admin), or ${SEED_USERS[1].email} / ${SEED_PASSWORD}
  Pipedrive is the emulator at ${emulator.url}; its state: ${emulator.url}/__emulator/state
  a contact's page has "Edit in Pipedrive": a change made there reaches the CRM by webhook within seconds
  the database is ${path.join(SCRATCH, 'app', 'crm.db')} (recreated on every start)
Ctrl-C stops both.`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    console.log('\nstopping');
    stack.stop().finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // Print what the app logs (warnings, drain lines) as it comes.
  let printed = 0;
  setInterval(() => {
    const output = crm.output();
    if (output.length > printed) process.stdout.write(output.slice(printed));
    printed = output.length;
  }, 500);
}

main().catch((error: unknown) => {
  console.error(`run_app: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
