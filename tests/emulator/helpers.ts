/**
 * @module tests/emulator/helpers
 * Test helpers: an emulator on a random port with a hand-driven clock, and a small fetch wrapper.
 */

import { startPipedriveEmulator, type PipedriveEmulator, type PipedriveEmulatorOptions } from '../../js/emulator';

/** A clock that only moves when told to, starting at a fixed instant (Tue 2026-03-10 12:00:00 UTC). */
export class ManualClock {
  /** Current time, epoch ms. */
  t = Date.UTC(2026, 2, 10, 12, 0, 0);
  /** The clock function to inject. */
  readonly now = (): number => this.t;
  /** Moves time forward. */
  advance(ms: number): void {
    this.t += ms;
  }
}

/** A parsed HTTP response. */
export interface ApiResponse {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed JSON, or undefined when the body was not JSON. */
  body: any;
}

/** Options of one test call. */
export interface CallOptions {
  /** Token to send in `x-api-token`; `null` sends none. Default: the emulator's token. */
  token?: string | null;
  /** Extra headers. */
  headers?: Record<string, string>;
  /** Send this raw string as the body instead of JSON-encoding `body`. */
  raw?: string;
}

/** A started emulator plus its clock and a call helper. */
export interface TestEmulator {
  emu: PipedriveEmulator;
  clock: ManualClock;
  call(method: string, path: string, body?: unknown, opts?: CallOptions): Promise<ApiResponse>;
}

/** Starts an emulator on a random port with a manual clock; remember to `emu.close()`. */
export async function startTestEmulator(options: PipedriveEmulatorOptions = {}): Promise<TestEmulator> {
  const clock = new ManualClock();
  const emu = await startPipedriveEmulator({ port: 0, now: clock.now, ...options });
  const call = async (method: string, path: string, body?: unknown, opts: CallOptions = {}): Promise<ApiResponse> => {
    const headers: Record<string, string> = { ...opts.headers };
    const token = opts.token === undefined ? emu.apiToken : opts.token;
    if (token !== null) headers['x-api-token'] = token;
    let payload: string | undefined = opts.raw;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && headers['content-type'] === undefined) headers['content-type'] = 'application/json';
    const res = await fetch(emu.url + path, { method, headers, body: payload });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    return { status: res.status, headers: res.headers, text, body: parsed };
  };
  return { emu, clock, call };
}
