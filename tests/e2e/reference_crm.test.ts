/**
 * @module tests/e2e/reference_crm.test
 * The reference CRM (examples/next-crm) in a real browser: Debian's Chromium driven by playwright-core, against
 * `next start` of the built app and the emulator as Pipedrive (js/scripts/reference_crm_stack.ts). The spec's three
 * §9.4 flows exactly as written (selectors and texts), then: Pipedrive down (the "saved locally" toast, PENDING, then
 * SYNCED once it is back), a remote edit racing a local one under the `manual` strategy (resolved on /conflicts), a
 * rename made "in the Pipedrive UI" pulled in by the webhook, the sync console, and a refused token. On the app's
 * SQLite file, and again on PostgreSQL (a schema of its own) when `TEST_POSTGRES_URL` is set. Every test fails on a
 * browser console error and saves a screenshot of its last page under tests/e2e/screenshots/.
 */

import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import pg from 'pg';
import { chromium, type Browser, type Page } from 'playwright-core';

import type { PersonRecord } from '../../js/emulator';
import { SCRATCH } from '../../js/scripts/package_tarball';
import { buildReferenceCrm } from '../../js/scripts/reference_crm_build';
import { startReferenceStack, type ReferenceStack } from '../../js/scripts/reference_crm_stack';

/** Debian's Chromium (the set-up step installs it); `CHROMIUM_PATH` names another. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const SCREENSHOTS = path.join(__dirname, 'screenshots');
/** How long a toast or a state change may take to show. */
const WAIT_MS = 30_000;

/** The databases the suite runs on: the app's own SQLite file, and PostgreSQL when `TEST_POSTGRES_URL` is set. */
const DATABASES: Array<{ name: string; url: (runId: string) => string | undefined; drop?: (runId: string) => Promise<void> }> = [
  { name: 'SQLite', url: () => undefined },
  ...(process.env.TEST_POSTGRES_URL
    ? [{ name: 'PostgreSQL', url: (runId: string) => postgresUrl(runId), drop: (runId: string) => dropSchema(runId) }]
    : []),
];

/** The app's PostgreSQL URL: `TEST_POSTGRES_URL` with a schema of this run's own. */
function postgresUrl(runId: string): string {
  const url = new URL(process.env.TEST_POSTGRES_URL!);
  url.searchParams.set('schema', runId);
  return url.toString();
}

/** Drops this run's PostgreSQL schema. */
async function dropSchema(runId: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS "${runId}" CASCADE`);
  } finally {
    await client.end();
  }
}

let stack: ReferenceStack;
let browser: Browser;
/** The screenshots' name prefix: '' on SQLite (the main set), `postgresql-` on PostgreSQL. */
let shotPrefix = '';

before(async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing: the set-up step (npm run setup) installs Debian's chromium`);
  buildReferenceCrm();
  mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-dev-shm-usage'] });
});

after(async () => {
  await browser?.close();
  console.log(`screenshots of the reference CRM: ${SCREENSHOTS}`);
});

/** What the app printed and the emulator's webhook deliveries, for failure messages. */
const serverOutput = (): string => {
  const deliveries = stack.emulator.journal.deliveries().slice(-5);
  return `${stack.crm.output().slice(-4_000)}\n--- webhooks: ${stack.emulator.state.webhooks.list().length} subscription(s); last deliveries ---\n${JSON.stringify(deliveries, null, 1).slice(0, 2_000)}`;
};

/**
 * Runs `body` on a fresh page signed in as the seeded admin (the spec's `test@example.com` / `password`), then saves
 * a screenshot named `name` and fails on any console error or uncaught page error the browser saw.
 */
async function withPage(name: string, body: (page: Page) => Promise<void>): Promise<void> {
  const context = await browser.newContext({ baseURL: stack.crm.url, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  try {
    await page.goto('/auth/signin');
    await page.fill('[data-testid="email-input"]', 'test@example.com');
    await page.fill('[data-testid="password-input"]', 'password');
    await page.click('[data-testid="signin-button"]');
    await page.waitForURL('**/contacts', { timeout: WAIT_MS });
    await body(page);
  } catch (error) {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${shotPrefix}${name}-failed.png`), fullPage: true }).catch(() => {});
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n--- the app's output ---\n${serverOutput()}`);
  } finally {
    await page.screenshot({ path: path.join(SCREENSHOTS, `${shotPrefix}${name}.png`), fullPage: true }).catch(() => {});
    await context.close();
  }
  assert.deepEqual(errors, [], `the browser reported errors on ${name}`);
}

/** Waits until `text` is visible on `page`. */
async function seeText(page: Page, text: string): Promise<void> {
  await page.locator(`text=${text}`).first().waitFor({ state: 'visible', timeout: WAIT_MS });
}

/** Reloads `page` until `check` holds (the queue and the webhook work in the background). */
async function reloadUntil(page: Page, what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`${what}: not seen within ${WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await page.reload();
  }
}

/** The emulator's person `id`. */
function person(id: number): PersonRecord {
  const record = stack.emulator.state.persons.get(id);
  assert.ok(record, `the emulator has no person ${id}`);
  return record;
}

/** The text of the sync badge in the page head (the contact's own state). */
function headBadge(page: Page) {
  return page.locator('.page-head [data-testid="sync-badge"]');
}

for (const database of DATABASES) {
  describe(`the reference CRM on ${database.name}`, () => {
    const runId = `reference_crm_${process.pid}`;

    before(async () => {
      shotPrefix = database.name === 'SQLite' ? '' : `${database.name.toLowerCase()}-`;
      const url = database.url(runId);
      stack = await startReferenceStack({
        databaseDir: path.join(SCRATCH, `${runId}-${database.name.toLowerCase()}`),
        env: { CRM_CONFLICT_STRATEGY: 'manual', ...(url ? { DATABASE_URL: url } : {}) },
      });
    });

    after(async () => {
      await stack?.stop();
      await database.drop?.(runId);
    });

    test('§9.4 should create warm lead contact in Pipedrive', async () => {
      await withPage('warm-lead', async (page) => {
        // Navigate to contacts
        await page.goto('/contacts');
        // Find a contact and increase warmness score
        const contactCard = page.locator('[data-testid="contact-card"]').first();
        const warmnessButton = contactCard.locator('[data-testid="increase-warmness"]');
        await warmnessButton.click();
        // Check for success toast
        await seeText(page, 'Contact created in Pipedrive as Warm Lead!');
        const created = [...stack.emulator.state.persons.values()].find((record) => record.name === 'Ada Lovelace');
        assert.ok(created, 'the warm lead is in Pipedrive');
        await page.reload();
        await contactCard.locator('[data-testid="pipedrive-link"]').waitFor({ timeout: WAIT_MS });
        assert.equal(await contactCard.locator('[data-testid="pipedrive-link"]').innerText(), `Pipedrive #${created.id}`);
      });
    });

    test('§9.4 should replicate activity when logged', async () => {
      await withPage('activity', async (page) => {
        await page.goto('/activities/new');
        // Fill activity form
        await page.fill('[data-testid="activity-subject"]', 'Test Activity');
        await page.selectOption('[data-testid="activity-type"]', 'EMAIL');
        await page.fill('[data-testid="activity-note"]', 'Test note');
        // Submit activity
        await page.click('[data-testid="submit-activity"]');
        // Check for success message
        await seeText(page, 'Activity logged successfully');
        // The form's default contact is the first one in Pipedrive: its activity is replicated at once.
        await seeText(page, 'Activity replicated to Pipedrive');
        const replicated = [...stack.emulator.state.activities.values()].find((activity) => activity.subject === 'Test Activity');
        assert.ok(replicated, 'the activity is in Pipedrive');
        assert.equal(replicated.type, 'email');
        assert.equal(replicated.note, 'Test note');
      });
    });

    test('§9.4 should update Pipedrive records', async () => {
      await withPage('contact-updated', async (page) => {
        // Login and navigate to a contact with Pipedrive ID
        await page.goto('/contacts/contact-with-pipedrive-id');
        // Edit contact details
        await page.click('[data-testid="edit-contact-button"]');
        await page.fill('[data-testid="contact-name"]', 'Updated Name');
        await page.click('[data-testid="save-contact-button"]');
        // Check for sync status update
        await seeText(page, 'Contact updated in Pipedrive');
        assert.equal(person(501).name, 'Updated Name');
        // The badge was SYNCED before the edit too: look at a fresh render, not the page the toast came on.
        await page.reload();
        assert.equal(await page.locator('[data-testid="contact-name-value"]').innerText(), 'Updated Name');
        assert.equal(await headBadge(page).innerText(), 'SYNCED');
      });
    });

    test('Pipedrive down: the edit is saved locally (PENDING) and reaches Pipedrive after the outage (SYNCED)', async () => {
      await withPage('pipedrive-down', async (page) => {
        stack.emulator.faults.failNext({ status: 503, path: '/api/v2/persons', count: 10_000 });
        try {
          await page.goto('/contacts/contact-katherine');
          await page.click('[data-testid="edit-contact-button"]');
          await page.fill('[data-testid="contact-name"]', 'Katherine G. Johnson');
          await page.click('[data-testid="save-contact-button"]');
          await seeText(page, 'Pipedrive is unavailable: the change is saved locally');
          await page.reload();
          assert.equal(await headBadge(page).innerText(), 'PENDING');
          assert.equal(await page.locator('[data-testid="contact-name-value"]').innerText(), 'Katherine G. Johnson');
          assert.equal(person(502).name, 'Katherine Johnson', 'nothing reached Pipedrive during the outage');
        } finally {
          stack.emulator.faults.clear();
        }
        // The in-process drain sends the queued change once Pipedrive answers.
        await reloadUntil(page, 'the SYNCED badge after the outage', async () => (await headBadge(page).innerText()) === 'SYNCED');
        assert.equal(person(502).name, 'Katherine G. Johnson');
      });
    });

    test('a rename made in the Pipedrive UI comes back by webhook and shows on /contacts', async () => {
      await withPage('contacts', async (page) => {
        await page.goto('/contacts/contact-margaret');
        await page.fill('[data-testid="remote-name"]', 'Margaret H. Hamilton');
        await page.click('[data-testid="remote-rename-button"]');
        await seeText(page, 'Renamed in Pipedrive');
        assert.equal(person(504).name, 'Margaret H. Hamilton');
        await page.goto('/contacts');
        const card = page.locator('[data-testid="contact-card"][data-contact-id="contact-margaret"]');
        await reloadUntil(page, 'the pulled rename on /contacts', async () => (await card.locator('[data-testid="contact-card-name"]').innerText()) === 'Margaret H. Hamilton');
        assert.ok(stack.emulator.journal.deliveries().some((delivery) => delivery.status === 200), 'the emulator delivered a webhook');
        // The webhook route takes the subscription's Basic auth, not a session: anything else is refused.
        const wrong = Buffer.from(`${stack.webhookAuth.username}:not-the-password`).toString('base64');
        for (const authorization of [undefined, `Basic ${wrong}`]) {
          const refused = await fetch(`${stack.crm.url}/api/pipedrive/webhook`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
            body: JSON.stringify({ meta: { action: 'change', entity: 'person', entity_id: '504' }, data: { id: 504, name: 'Forged' } }),
          });
          assert.equal(refused.status, 401, `webhook with ${authorization ?? 'no authorization'}`);
        }
      });
    });

    test('manual strategy: a remote edit racing a local one waits on /conflicts, and resolving it syncs', async () => {
      // No webhook for this test: the remote edit must still be unseen when the local edit is sent.
      const subscriptions = stack.emulator.state.webhooks.list();
      for (const subscription of subscriptions) stack.emulator.state.webhooks.remove(subscription.id);
      await withPage('conflicts', async (page) => {
        stack.emulator.editInUi({ entity: 'person', id: 503, fields: { name: 'Linus B. Torvalds' } });
        await page.goto('/contacts/contact-linus');
        await page.click('[data-testid="edit-contact-button"]');
        await page.fill('[data-testid="contact-name"]', 'Linus Torvalds (CRM)');
        await page.click('[data-testid="save-contact-button"]');
        await seeText(page, 'Saved locally: Pipedrive changed this contact too');
        assert.equal(person(503).name, 'Linus B. Torvalds', 'the conflict overwrote nothing in Pipedrive');
        await page.reload();
        assert.equal(await headBadge(page).innerText(), 'CONFLICT');

        await page.goto('/conflicts');
        const card = page.locator('[data-testid="conflict-card"]', { has: page.locator('h3', { hasText: 'Linus Torvalds (CRM)' }) });
        await card.waitFor({ timeout: WAIT_MS });
        assert.equal(await card.locator('h3 a').getAttribute('href'), '/contacts/contact-linus');
        const row = card.locator('[data-testid="conflict-field"][data-field="name"]');
        assert.equal(await row.locator('[data-testid="conflict-local"]').innerText(), 'Linus Torvalds (CRM)');
        assert.equal(await row.locator('[data-testid="conflict-remote"]').innerText(), 'Linus B. Torvalds');
        await page.screenshot({ path: path.join(SCREENSHOTS, `${shotPrefix}conflicts-open.png`), fullPage: true });
        await row.locator('[data-testid="choose-local"]').check();
        await card.locator('[data-testid="resolve-conflict-button"]').click();
        await seeText(page, 'Conflict resolved: Pipedrive and the CRM agree again');
        await reloadUntil(page, 'the resolved conflict gone from /conflicts', async () => (await page.locator('[data-testid="conflict-card"]', { hasText: 'Linus' }).count()) === 0);
        assert.equal(person(503).name, 'Linus Torvalds (CRM)', 'the decision reached Pipedrive');
        await page.goto('/contacts/contact-linus');
        assert.equal(await headBadge(page).innerText(), 'SYNCED');
      }).finally(() => {
        for (const sub of subscriptions) stack.emulator.state.webhooks.add(sub, stack.emulator.clock.now());
      });
    });

    test('the sync console shows the outbox, the rate budget and drains on demand', async () => {
      await withPage('sync', async (page) => {
        await page.goto('/sync');
        const done = Number(await page.locator('[data-testid="jobs-done"] b').innerText());
        assert.ok(done >= 3, `the earlier tests' jobs are done (${done})`);
        await page.click('[data-testid="drain-now-button"]');
        await page.locator('[data-testid="drain-now-button"]:not([disabled])').waitFor({ timeout: WAIT_MS });
        await page.locator('[data-testid="webhook-list"]').waitFor({ timeout: WAIT_MS });
      });
    });

    // Last: a refused token pauses it for minutes (DESIGN §7), so nothing may need Pipedrive after this test.
    test('Pipedrive refuses the token: the edit is saved locally and the toast says who must act', async () => {
      await withPage('token-refused', async (page) => {
        stack.emulator.faults.failNext({ status: 401, path: '/api/v2/persons', count: 10_000, body: { success: false, error: 'unauthorized access', errorCode: 401 } });
        await page.goto('/contacts/contact-ada');
        await page.click('[data-testid="edit-contact-button"]');
        await page.fill('[data-testid="contact-phone"]', '+49 30 7654321');
        await page.click('[data-testid="save-contact-button"]');
        await seeText(page, 'Pipedrive refused our access: the change is saved locally');
        await page.reload();
        assert.equal(await page.locator('[data-testid="contact-phone-value"]').innerText(), '+49 30 7654321');
        assert.equal(await headBadge(page).innerText(), 'PENDING');
      });
    });
  });
}
