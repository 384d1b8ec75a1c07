/**
 * @module emulator/webhooks/delivery
 * Sends webhooks v2 for every change on the change feed (API writes, UI edits, merges) to each matching active v2
 * subscription, POSTing the JSON body of `emulator/webhooks/payload` with `Authorization: Basic` when the
 * subscription has `http_auth_user`. Deliveries never touch the write that caused them: the change is queued and sent
 * on a later turn of the event loop, after the API response; a receiver's failure only schedules a retry.
 *
 * Retries follow `emulator/webhooks/retry_policy` on the emulator clock: a failed attempt is due again 3, 30, then
 * 150 s later (emulator time), then given up. Due retries are sent when the clock is advanced (`clock.advance`,
 * `POST /__emulator/clock`), on a 100 ms real-time poll (so an injected `now`, or real time, also brings them due),
 * and by `flush()` (`POST /__emulator/webhooks/flush`), which sends what is due and waits until nothing is in
 * flight. Ten first-attempt failures in a row ban a subscription for 30 minutes (emulator time): its events are
 * lost then, journaled with `error: 'banned: event lost'`. Every attempt goes to the journal (`deliveries()`).
 * `reset()` cancels pending retries and aborts what is in flight (their outcomes are discarded); `close()` also stops.
 * The HTTP side (Basic auth, timeout, no redirects, http(s) only) is `emulator/webhooks/post_webhook`.
 */

import { randomUUID } from 'node:crypto';
import type { DeliveryLog } from './delivery_entry';
import type { RecordChange } from '../model/changes';
import type { EmulatorState } from '../model/state';
import type { EmulatorClock } from '../wire/clock';
import { buildPayload, type WebhookEvent, type WebhookPayload } from './payload';
import { postWebhook } from './post_webhook';
import { isDelivered, nextAttemptAt, WEBHOOK_RETRY_DELAYS_MS, WEBHOOK_TIMEOUT_MS } from './retry_policy';
import type { WebhookSubscription } from '../model/webhook_subscriptions';

/** How often (real ms) due retries are looked for without a clock advance. */
const POLL_MS = 100;

/** What the deliverer works with. */
export interface DelivererOptions {
  state: EmulatorState;
  journal: DeliveryLog;
  clock: EmulatorClock;
  /** Delays before each retry, emulator ms (default 3,000, 30,000, 150,000). */
  retryDelaysMs?: readonly number[];
  /** Real ms a receiver may take (default 10,000). */
  timeoutMs?: number;
}

/** A retry waiting for its time. */
export interface PendingDelivery {
  /** The subscription. */
  webhookId: number;
  /** `meta.id`. */
  eventId: string;
  /** The attempt it will be (2..4). */
  attempt: number;
  /** Emulator time it is due, epoch ms. */
  dueAt: number;
}

interface Job extends PendingDelivery {
  /** The body of the first attempt; `meta.attempt` is set per attempt. */
  payload: WebhookPayload;
}

/** The webhook sender of one emulator. */
export class WebhookDeliverer {
  private readonly opts: DelivererOptions;
  private readonly delays: readonly number[];
  private readonly timeoutMs: number;
  private queue: Job[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();
  private generation = 0;
  private readonly stops: (() => void)[] = [];

  constructor(opts: DelivererOptions) {
    this.opts = opts;
    this.delays = opts.retryDelaysMs ?? WEBHOOK_RETRY_DELAYS_MS;
    this.timeoutMs = opts.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  }

  /** Starts listening to the change feed and the clock. */
  start(): void {
    this.stops.push(this.opts.state.changes.subscribe((c) => this.enqueue(c)));
    this.stops.push(this.opts.clock.onAdvance(() => this.runDue()));
    const timer = setInterval(() => this.runDue(), POLL_MS);
    timer.unref();
    this.stops.push(() => clearInterval(timer));
  }

  /** The retries waiting for their time (and first attempts not sent yet), soonest first. */
  pending(): PendingDelivery[] {
    return this.queue
      .map(({ webhookId, eventId, attempt, dueAt }) => ({ webhookId, eventId, attempt, dueAt }))
      .sort((a, b) => a.dueAt - b.dueAt);
  }

  /** Sends every delivery due on the emulator clock now; does not wait for the answers. */
  runDue(): void {
    const now = this.opts.clock.now();
    const due = this.queue.filter((j) => j.dueAt <= now);
    if (due.length === 0) return;
    this.queue = this.queue.filter((j) => j.dueAt > now);
    for (const job of due) this.track(this.attempt(job, this.generation));
  }

  /** Sends what is due and waits until no delivery is in flight (retries due later stay pending). */
  async flush(): Promise<void> {
    for (;;) {
      this.runDue();
      if (this.inFlight.size === 0) return;
      await Promise.allSettled([...this.inFlight]);
    }
  }

  /** Cancels pending retries and aborts deliveries in flight; their outcomes are discarded. */
  reset(): void {
    this.generation++;
    this.queue = [];
    for (const c of this.controllers) c.abort();
    this.controllers.clear();
  }

  /** Stops listening and cancels everything. */
  close(): void {
    this.reset();
    for (const stop of this.stops.splice(0)) stop();
  }

  private enqueue(change: RecordChange): void {
    const { state, clock, journal } = this.opts;
    const subs = state.webhooks.matching(change.action, change.entity);
    if (subs.length === 0) return;
    const now = clock.now();
    const event: WebhookEvent = { id: randomUUID(), correlationId: change.correlation_id ?? randomUUID(), change };
    for (const sub of subs) {
      const payload = buildPayload(state, event, sub, 1);
      if (state.webhooks.isBanned(sub.id, now)) {
        journal.recordDelivery({ ...this.entryBase(sub, payload, 1, now), status: null, error: 'banned: event lost', ok: false });
        continue;
      }
      this.queue.push({ webhookId: sub.id, eventId: event.id, attempt: 1, dueAt: now, payload });
    }
    setImmediate(() => this.runDue());
  }

  private entryBase(sub: WebhookSubscription, payload: WebhookPayload, attempt: number, time: number) {
    return {
      webhookId: sub.id, url: sub.subscription_url, eventId: payload.meta.id, action: payload.meta.action, entity: payload.meta.entity,
      entityId: Number(payload.meta.entity_id), attempt, time, basicAuth: sub.http_auth_user !== null, payload: withAttempt(payload, attempt),
    };
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private async attempt(job: Job, generation: number): Promise<void> {
    const { state, clock, journal } = this.opts;
    const sub = state.webhooks.get(job.webhookId);
    if (!sub) return; // Deleted since: its retries go with it.
    const sentAt = clock.now();
    const entry = this.entryBase(sub, job.payload, job.attempt, sentAt);
    if (job.attempt > 1 && state.webhooks.isBanned(sub.id, sentAt)) {
      journal.recordDelivery({ ...entry, status: null, error: 'banned: event lost', ok: false });
      return;
    }
    const controller = new AbortController();
    this.controllers.add(controller);
    const outcome = await postWebhook(sub, entry.payload, this.timeoutMs, controller).finally(() => this.controllers.delete(controller));
    if (generation !== this.generation) return;
    const ok = isDelivered(outcome.status);
    const doneAt = clock.now();
    journal.recordDelivery({ ...entry, status: outcome.status, error: ok ? null : outcome.error, ok });
    state.webhooks.noteAttempt(sub.id, job.attempt, outcome.status, ok, doneAt);
    if (ok) return;
    const next = nextAttemptAt(job.attempt, doneAt, this.delays);
    if (next !== null) this.queue.push({ ...job, attempt: job.attempt + 1, dueAt: next });
  }
}

function withAttempt(payload: WebhookPayload, attempt: number): WebhookPayload {
  const copy = structuredClone(payload);
  copy.meta.attempt = attempt;
  return copy;
}
