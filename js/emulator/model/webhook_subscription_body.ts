/**
 * @module emulator/model/webhook_subscription_body
 * Reading a `POST /v1/webhooks` body (`openapi-v1.yaml` `addWebhookRequest`, API-FACTS §9, UPDATES-FACTS §2):
 * `subscription_url`, `event_action`, `event_object` and `name` required; `version` (`1.0` or `2.0`, default
 * `2.0`), `user_id` (an active user, default the caller), `http_auth_user`, `http_auth_password` optional; any other
 * field is refused. `event_action` takes the v2 actions (`create`, `change`, `delete`, `*`) for `2.0` and the v1 ones
 * (`added`, `updated`, `deleted`, `merged`, `*`) for `1.0`. The URL must be absolute `http:` or `https:` and must not
 * point at the emulator itself or at any emulator's control path (`/__emulator/...`): Pipedrive refuses its own API
 * endpoints, and a delivery to the control path would pass its loopback checks. Every refusal names the field.
 */


/** The v2 event actions a `2.0` subscription may name. */
export const V2_EVENT_ACTIONS = ['create', 'change', 'delete', '*'] as const;
/** The v1 event actions a `1.0` subscription may name (stored, never delivered). */
export const V1_EVENT_ACTIONS = ['added', 'updated', 'deleted', 'merged', '*'] as const;
/** The event objects (the spec's list plus the 2026 additions of API-FACTS §9). */
export const EVENT_OBJECTS = [
  'activity', 'deal', 'lead', 'note', 'organization', 'person', 'pipeline', 'product', 'stage', 'user',
  'deal_product', 'deal_installment', 'board', 'phase', 'project', 'task', '*',
] as const;
/** The longest `name` (the spec's `maxLength`). */
export const MAX_NAME_LENGTH = 255;
/** The longest `subscription_url` accepted. */
export const MAX_URL_LENGTH = 2048;

const FIELDS = ['subscription_url', 'event_action', 'event_object', 'name', 'version', 'user_id', 'http_auth_user', 'http_auth_password'];

/** A refused body: the field and why. */
export class SubscriptionBodyError extends Error {
  /** The offending field. */
  readonly field: string;
  constructor(field: string, message: string) {
    super(message);
    this.field = field;
  }
}

/** The webhook versions `POST /v1/webhooks` accepts. */
export const WEBHOOK_VERSIONS = ['1.0', '2.0'] as const;

/** A webhook version. */
export type WebhookVersion = (typeof WEBHOOK_VERSIONS)[number];

/** The emulator's own address, refused as a `subscription_url`. */
export interface OwnAddress {
  /** The port the emulator listens on. */
  port: number;
  /** Host names that reach it (loopback names are always included by the check). */
  hosts: readonly string[];
}

/** A validated body (before the caller and company are added). */
export interface SubscriptionBody {
  subscription_url: string;
  event_action: string;
  event_object: string;
  name: string;
  version: WebhookVersion;
  /** `undefined`: the caller. */
  user_id: number | undefined;
  http_auth_user: string | null;
  http_auth_password: string | null;
}

function requiredString(body: Record<string, unknown>, field: string): string {
  const v = body[field];
  if (v === undefined || v === null || v === '') throw new SubscriptionBodyError(field, `'${field}' is required`);
  if (typeof v !== 'string') throw new SubscriptionBodyError(field, `'${field}' must be a string`);
  return v;
}

function optionalString(body: Record<string, unknown>, field: string): string | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new SubscriptionBodyError(field, `'${field}' must be a string or null`);
  return v;
}

function isLoopbackName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost') || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host) || host === '0.0.0.0' || host === '[::]';
}

/** Checks `subscription_url`: absolute http(s), no control path, not the emulator itself. */
function checkUrl(raw: string, own: OwnAddress | undefined): string {
  if (raw.length > MAX_URL_LENGTH) throw new SubscriptionBodyError('subscription_url', `'subscription_url' is longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SubscriptionBodyError('subscription_url', `'subscription_url' must be a full, valid URL, got '${raw.slice(0, 80)}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new SubscriptionBodyError('subscription_url', `'subscription_url' must be an http or https URL, got '${url.protocol}'`);
  }
  if (url.username !== '' || url.password !== '') {
    throw new SubscriptionBodyError('subscription_url', `'subscription_url' must not carry credentials: use 'http_auth_user' and 'http_auth_password'`);
  }
  if (url.pathname.toLowerCase().startsWith('/__emulator')) {
    throw new SubscriptionBodyError('subscription_url', `'subscription_url' must not point at the emulator's control path`);
  }
  if (own) {
    const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
    const host = url.hostname.toLowerCase();
    if (port === own.port && (isLoopbackName(host) || own.hosts.some((h) => h.toLowerCase() === host))) {
      throw new SubscriptionBodyError('subscription_url', `'subscription_url' must not be a Pipedrive API endpoint (it points at this emulator)`);
    }
  }
  return url.href;
}

/** Reads and checks a `POST /v1/webhooks` body; throws `SubscriptionBodyError` naming the field. */
export function readSubscriptionBody(raw: unknown, own?: OwnAddress): SubscriptionBody {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new SubscriptionBodyError('body', 'the request body must be a JSON object');
  const body = raw as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!FIELDS.includes(key)) throw new SubscriptionBodyError(key, `'${key}' is not a parameter of this request (allowed: ${FIELDS.join(', ')})`);
  }
  const versionRaw = body.version ?? '2.0';
  if (typeof versionRaw !== 'string' || !(WEBHOOK_VERSIONS as readonly string[]).includes(versionRaw)) {
    throw new SubscriptionBodyError('version', `'version' must be one of ${WEBHOOK_VERSIONS.join(', ')}`);
  }
  const version = versionRaw as WebhookVersion;
  const subscription_url = checkUrl(requiredString(body, 'subscription_url'), own);
  const event_action = requiredString(body, 'event_action');
  const actions: readonly string[] = version === '2.0' ? V2_EVENT_ACTIONS : V1_EVENT_ACTIONS;
  if (!actions.includes(event_action)) {
    throw new SubscriptionBodyError('event_action', `'event_action' must be one of ${actions.join(', ')} for version ${version}, got '${event_action.slice(0, 40)}'`);
  }
  const event_object = requiredString(body, 'event_object');
  if (!(EVENT_OBJECTS as readonly string[]).includes(event_object)) {
    throw new SubscriptionBodyError('event_object', `'event_object' must be one of ${EVENT_OBJECTS.join(', ')}, got '${event_object.slice(0, 40)}'`);
  }
  const name = requiredString(body, 'name');
  if (name.length > MAX_NAME_LENGTH) throw new SubscriptionBodyError('name', `'name' is longer than ${MAX_NAME_LENGTH} characters`);
  let user_id: number | undefined;
  if (body.user_id !== undefined && body.user_id !== null) {
    if (typeof body.user_id !== 'number' || !Number.isInteger(body.user_id) || body.user_id < 1) {
      throw new SubscriptionBodyError('user_id', `'user_id' must be a positive integer`);
    }
    user_id = body.user_id;
  }
  return {
    subscription_url, event_action, event_object, name, version, user_id,
    http_auth_user: optionalString(body, 'http_auth_user'), http_auth_password: optionalString(body, 'http_auth_password'),
  };
}
