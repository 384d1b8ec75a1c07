import { PipedriveSyncError } from 'pipedrive-sync';

import { getSync } from '@/lib/sync';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

// GET /api/engine: what the wasm engine runs with (computed inside the engine from the validated config).
export async function GET(): Promise<Response> {
  try {
    const sync = await getSync();
    return Response.json({ success: true, engine: sync.describe() });
  } catch (error) {
    const code = error instanceof PipedriveSyncError ? error.code : 'INTERNAL';
    return Response.json({ success: false, code, error: String(error) }, { status: 500 });
  }
}
