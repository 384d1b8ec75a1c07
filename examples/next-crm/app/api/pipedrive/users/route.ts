import { PipedriveSyncError } from 'pipedrive-sync';

import { getSync } from '@/lib/sync';

export const runtime = 'nodejs';
export const dynamic = 'force-dynamic';

const STATUS: Record<string, number> = { VALIDATION: 400, NOT_FOUND: 404, AUTH: 502, RATE_LIMITED: 429, UNAVAILABLE: 503 };

// GET /api/pipedrive/users?email=...: the active Pipedrive user with that email, matched inside the engine.
export async function GET(request: Request): Promise<Response> {
  const email = new URL(request.url).searchParams.get('email') ?? '';
  try {
    const user = await (await getSync()).users.findUserByEmail(email);
    return Response.json({ success: true, user });
  } catch (error) {
    if (error instanceof PipedriveSyncError) {
      return Response.json({ success: false, code: error.code, error: error.message }, { status: STATUS[error.code] ?? 500 });
    }
    throw error;
  }
}
