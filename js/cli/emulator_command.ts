/**
 * @module cli/emulator_command
 * `pipedrive-sync emulator`: runs a Pipedrive emulator in the foreground until SIGINT/SIGTERM, printing its URL and
 * API token so another process (the demo, a test run, a developer with curl) can use it. Bound to a non-loopback
 * `--host` (e.g. `0.0.0.0`), it prints one warning on stderr that the control path is reachable from the network.
 */

import { startPipedriveEmulator } from '../emulator';
import { parsePlan } from '../emulator/limits/rate_limits';

/** Usage text of the `emulator` command. */
export const EMULATOR_USAGE = `Usage: pipedrive-sync emulator [--port N] [--plan lite|growth|premium|ultimate] [--seats N] [--host H] [--token T]

Runs a local Pipedrive emulator (API v2 under /api/v2, v1 under /v1) until interrupted.
  --port   port to listen on (default 0: a free port)
  --plan   plan for burst limits and the daily budget (default growth)
  --seats  seats, multiplying the daily budget (default 1)
  --host   interface to bind (default 127.0.0.1; any other address exposes the control path to the network)
  --token  API token to accept (default: $PIPEDRIVE_EMULATOR_TOKEN, else a random one)
Control path (no auth; JSON bodies, same-origin, loopback Host only):
  <url>/__emulator/{health,journal,state,seed,users,reset,faults,limits,clock,search-lag}`;

/** Parsed flags of the `emulator` command. */
export interface EmulatorFlags {
  port: number;
  plan: string;
  seats: number;
  host: string;
  token?: string;
}

/** Parses `--flag value` and `--flag=value` pairs; throws with a usable message on bad input. */
export function parseEmulatorFlags(argv: string[]): EmulatorFlags {
  const flags: EmulatorFlags = { port: 0, plan: 'growth', seats: 1, host: '127.0.0.1' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`Unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined) throw new Error(`--${name} needs a value`);
    switch (name) {
      case 'port':
        flags.port = integer(name, value, 0, 65_535);
        break;
      case 'plan':
        parsePlan(value);
        flags.plan = value;
        break;
      case 'seats':
        flags.seats = integer(name, value, 1, 100_000);
        break;
      case 'host':
        flags.host = value;
        break;
      case 'token':
        flags.token = value;
        break;
      default:
        throw new Error(`Unknown flag --${name}`);
    }
  }
  return flags;
}

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^\d+$/.test(value)) throw new Error(`--${name} must be an integer, got '${value}'`);
  const n = Number(value);
  if (n < min || n > max) throw new Error(`--${name} must be between ${min} and ${max}, got ${n}`);
  return n;
}

/** Runs the emulator until SIGINT or SIGTERM; resolves once it has shut down. */
export async function runEmulatorCommand(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${EMULATOR_USAGE}\n`);
    return;
  }
  const flags = parseEmulatorFlags(argv);
  const envToken = process.env.PIPEDRIVE_EMULATOR_TOKEN;
  const apiToken = flags.token ?? (envToken !== undefined && envToken !== '' ? envToken : undefined);
  const source = flags.token !== undefined ? '--token' : apiToken !== undefined ? 'PIPEDRIVE_EMULATOR_TOKEN' : 'generated';
  const emu = await startPipedriveEmulator({
    port: flags.port, plan: flags.plan, seats: flags.seats, host: flags.host, apiToken,
    onWarning: (message) => process.stderr.write(`Warning: ${message}\n`),
  });
  // The token is the emulator's own fake credential; printing it is how another process gets to use it.
  process.stdout.write(
    `Pipedrive emulator listening on ${emu.url} (plan ${emu.plan}, ${flags.seats} seat${flags.seats === 1 ? '' : 's'})\n` +
      `PIPEDRIVE_BASE_URL=${emu.url}\n` +
      `PIPEDRIVE_API_TOKEN=${emu.apiToken}  (token source: ${source})\n` +
      `Stop with Ctrl+C.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      resolve();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  await emu.close();
  process.stdout.write('Pipedrive emulator stopped.\n');
}
