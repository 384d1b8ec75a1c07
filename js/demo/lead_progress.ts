/**
 * @module demo/lead_progress
 * The progress of the demo's phases on stderr, drawn with the drain's bar (`renderBar` of
 * `js/terminal/progress_bar.ts`): `[██████░░░░] 40/66 warm leads · 39 in Pipedrive · 1 queued · 0 failed · 4.8 leads/s`
 * for the warm leads, and `[██████░░░░] 25/42 activities · 25 in Pipedrive · 0 queued · 0 failed · 18.2 activities/s`
 * for the activities replicated directly; redrawn in place on a terminal, otherwise a plain line at most every 2 s
 * and once at the end.
 */

import { renderBar, type ProgressStream } from '../terminal/progress_bar';

/** The counts shown (of warm leads, or of activities). */
export interface LeadCounts {
  /** Items whose call has finished. */
  done: number;
  /** Calls that answered `true`: the contact (or activity) is in Pipedrive. */
  synced: number;
  /** Calls that answered `false`: the job stays in the queue. */
  queued: number;
  /** Calls that threw. */
  failed: number;
}

/** One progress line. */
export function formatLeadProgress(counts: LeadCounts, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (counts.done * 1000) / elapsedMs : 0;
  return (
    `${renderBar(counts.done, total)} ${counts.done}/${total} warm leads · ${counts.synced} in Pipedrive · ` +
    `${counts.queued} queued · ${counts.failed} failed · ${rate.toFixed(1)} leads/s`
  );
}

/** One progress line of the direct activity replication. */
export function formatActivityProgress(counts: LeadCounts, total: number, elapsedMs: number): string {
  const rate = elapsedMs > 0 ? (counts.done * 1000) / elapsedMs : 0;
  return (
    `${renderBar(counts.done, total)} ${counts.done}/${total} activities · ${counts.synced} in Pipedrive · ` +
    `${counts.queued} queued · ${counts.failed} failed · ${rate.toFixed(1)} activities/s`
  );
}

/** Shows a phase's progress (warm leads by default; see `format`): `update` after every item, then `finish`. */
export class LeadProgress {
  private readonly started: number;
  private readonly interval: number;
  private lastShown = Number.NEGATIVE_INFINITY;
  private counts: LeadCounts = { done: 0, synced: 0, queued: 0, failed: 0 };

  /** Starts the clock; on a terminal the empty bar is drawn at once. */
  constructor(
    private readonly stream: ProgressStream,
    private readonly total: number,
    private readonly now: () => number = Date.now,
    private readonly format: (counts: LeadCounts, total: number, elapsedMs: number) => string = formatLeadProgress,
  ) {
    this.started = now();
    this.interval = stream.isTTY ? 100 : 2_000;
    if (stream.isTTY) this.show();
  }

  /** Records the counts so far; shows them when the interval since the last line has passed. */
  update(counts: LeadCounts): void {
    this.counts = { ...counts };
    if (this.now() - this.lastShown >= this.interval) this.show();
  }

  /** Shows the final counts and ends the line. */
  finish(): void {
    this.show();
    if (this.stream.isTTY) this.stream.write('\n');
  }

  private show(): void {
    const now = this.now();
    this.lastShown = now;
    const line = this.format(this.counts, this.total, now - this.started);
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }
}
