/**
 * @module terminal/progress_bar
 * A drain's progress on stderr (`pipedrive-sync drain`, the demo's final drain): on a terminal one line redrawn in
 * place (`[██████░░░░] 1200/2000 jobs · 2 rescheduled · 0 dead · 49.8 jobs/s`); otherwise (a log file, CI) the same
 * text as a plain line at most every 2 s, and once at the end. The bar itself also draws the demo's other phases.
 */

import type { DrainReport } from '../types';

/** Where the progress goes: a stream with `write`, and `isTTY` when it is a terminal. */
export interface ProgressStream {
  isTTY?: boolean;
  write(text: string): unknown;
}

/** Options of a {@link DrainProgress}. */
export interface DrainProgressOptions {
  /** Jobs expected (e.g. the due jobs, capped by `--limit`); grows when more are processed. */
  total: number;
  /** Clock in ms (default `Date.now`), injectable for tests. */
  now?: () => number;
  /** Smallest interval between plain lines when the stream is not a terminal (default 2,000 ms). */
  plainIntervalMs?: number;
  /** Smallest interval between redraws on a terminal (default 100 ms). */
  redrawIntervalMs?: number;
}

/** Width of the bar in cells. */
const BAR_CELLS = 10;

/** The bar itself: `[██████░░░░]` for `done` of `total`. */
export function renderBar(done: number, total: number, cells = BAR_CELLS): string {
  const filled = total <= 0 ? (done > 0 ? cells : 0) : Math.min(cells, Math.floor((done / total) * cells));
  return `[${'█'.repeat(filled)}${'░'.repeat(cells - filled)}]`;
}

/** One progress line: bar, jobs done of total, rescheduled, dead and the rate so far. */
export function formatProgress(report: Pick<DrainReport, 'processed' | 'rescheduled' | 'dead'>, total: number, elapsedMs: number): string {
  const shownTotal = Math.max(total, report.processed);
  const rate = elapsedMs > 0 ? (report.processed * 1000) / elapsedMs : 0;
  return (
    `${renderBar(report.processed, shownTotal)} ${report.processed}/${shownTotal} jobs · ${report.rescheduled} rescheduled · ` +
    `${report.dead} dead · ${rate.toFixed(1)} jobs/s`
  );
}

/** Shows a drain's progress on a stream: call {@link DrainProgress.update} on every report, then `finish`. */
export class DrainProgress {
  private readonly stream: ProgressStream;
  private readonly total: number;
  private readonly now: () => number;
  private readonly started: number;
  private readonly interval: number;
  private lastShown = Number.NEGATIVE_INFINITY;
  private last: Pick<DrainReport, 'processed' | 'rescheduled' | 'dead'> = { processed: 0, rescheduled: 0, dead: 0 };

  /** Starts the clock; on a terminal the empty bar is drawn at once. */
  constructor(stream: ProgressStream, options: DrainProgressOptions) {
    this.stream = stream;
    this.total = options.total;
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.interval = stream.isTTY ? options.redrawIntervalMs ?? 100 : options.plainIntervalMs ?? 2_000;
    if (stream.isTTY) this.show();
  }

  /** Records the report so far; shows it when the interval since the last line has passed. */
  update(report: Pick<DrainReport, 'processed' | 'rescheduled' | 'dead'>): void {
    this.last = report;
    if (this.now() - this.lastShown >= this.interval) this.show();
  }

  /** Shows the final state (with `report` when given) and ends the line. */
  finish(report?: Pick<DrainReport, 'processed' | 'rescheduled' | 'dead'>): void {
    if (report) this.last = report;
    this.show();
    if (this.stream.isTTY) this.stream.write('\n');
  }

  private show(): void {
    const now = this.now();
    this.lastShown = now;
    const line = formatProgress(this.last, this.total, now - this.started);
    // On a terminal: back to the start of the line and clear it, so the bar is redrawn in place.
    this.stream.write(this.stream.isTTY ? `\r\x1b[2K${line}` : `${line}\n`);
  }
}
