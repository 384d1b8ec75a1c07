/**
 * @module next-crm/lib/crm/emulator_edit
 * "Edit in Pipedrive" for a CRM running against the emulator (`CRM_EMULATOR_URL`, set by `npm run app`): renames
 * a person as if someone did it in the Pipedrive UI (the emulator's `POST /__emulator/edit`), so a visitor can watch
 * the change come back through the webhook (or the next reconcile). Not available against real Pipedrive.
 */

/** The emulator's URL, when this CRM runs against one. */
export function emulatorUrl(): string | null {
  const url = process.env.CRM_EMULATOR_URL?.trim();
  return url ? url.replace(/\/+$/, '') : null;
}

/** Renames Pipedrive person `personId` "in the Pipedrive UI"; throws with the emulator's reason when refused. */
export async function renameInPipedrive(personId: number, name: string): Promise<void> {
  const base = emulatorUrl();
  if (!base) throw new Error('This CRM is not running against the emulator (CRM_EMULATOR_URL is not set).');
  const response = await fetch(`${base}/__emulator/edit`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ entity: 'person', id: personId, fields: { name } }),
  });
  const body = (await response.json().catch(() => ({}))) as { ok?: boolean; error?: string };
  if (!response.ok || body.ok !== true) throw new Error(`The emulator refused the edit: ${body.error ?? `HTTP ${response.status}`}`);
}
