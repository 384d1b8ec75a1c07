/**
 * @module tests/cli/progress_bar.test
 * The CLI's small parts on their own: the drain progress (one line redrawn on a terminal, a plain line at most every
 * 2 s otherwise), tables, durations in words, and how the config module's export is picked.
 */

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';

import { drainExitCode, drainSummary, parseDrainFlags } from '../../js/cli/drain_command';
import { pickExport, resolveConfigPath } from '../../js/cli/load_config';
import { DrainProgress, formatProgress, renderBar } from '../../js/terminal/progress_bar';
import { durationInWords } from '../../js/cli/status_command';
import { renderTable, truncate } from '../../js/terminal/table';
import type { DrainReport } from '../../js/types';

function report(processed: number, rescheduled = 0, dead = 0): DrainReport {
  return { processed, succeeded: processed - rescheduled - dead, rescheduled, dead, leaseLost: 0, requests: processed, rateLimited: 0, durationMs: 0 };
}

function recorder(isTTY: boolean): { stream: { isTTY: boolean; write(text: string): void }; writes: string[] } {
  const writes: string[] = [];
  return { stream: { isTTY, write: (text: string) => void writes.push(text) }, writes };
}

describe('drain progress', () => {
  test('the line: bar, jobs, rescheduled, dead, rate', () => {
    assert.equal(formatProgress(report(1200, 2, 0), 2000, 24_096), '[██████░░░░] 1200/2000 jobs · 2 rescheduled · 0 dead · 49.8 jobs/s');
    assert.equal(renderBar(0, 0), '[░░░░░░░░░░]');
    assert.equal(renderBar(5, 0), '[██████████]');
    // More jobs than expected (some became due during the drain): the total grows instead of overflowing the bar.
    assert.equal(formatProgress(report(12), 10, 1000), '[██████████] 12/12 jobs · 0 rescheduled · 0 dead · 12.0 jobs/s');
  });

  test('on a terminal: one line redrawn in place, ended by a newline', () => {
    let now = 0;
    const { stream, writes } = recorder(true);
    const progress = new DrainProgress(stream, { total: 3, now: () => now });
    now = 500;
    progress.update(report(1));
    now = 1000;
    progress.update(report(2, 0, 1));
    progress.finish(report(3, 0, 1));
    assert.ok(writes.slice(0, -1).every((w) => w.startsWith('\r\x1b[2K') && !w.includes('\n')), JSON.stringify(writes));
    assert.equal(writes[0], '\r\x1b[2K[░░░░░░░░░░] 0/3 jobs · 0 rescheduled · 0 dead · 0.0 jobs/s');
    assert.equal(writes.at(-2), '\r\x1b[2K[██████████] 3/3 jobs · 0 rescheduled · 1 dead · 3.0 jobs/s');
    assert.equal(writes.at(-1), '\n');
  });

  test('not a terminal: a plain line at most every 2 s, and one at the end', () => {
    let now = 0;
    const { stream, writes } = recorder(false);
    const progress = new DrainProgress(stream, { total: 100, now: () => now });
    for (let i = 1; i <= 100; i++) {
      now = i * 50; // a job every 50 ms: 5 s in all
      progress.update(report(i));
    }
    progress.finish(report(100));
    assert.deepEqual(
      writes.map((w) => w.replace(/ · [\d.]+ jobs\/s\n$/, '')),
      ['[░░░░░░░░░░] 1/100 jobs · 0 rescheduled · 0 dead', '[████░░░░░░] 41/100 jobs · 0 rescheduled · 0 dead',
        '[████████░░] 81/100 jobs · 0 rescheduled · 0 dead', '[██████████] 100/100 jobs · 0 rescheduled · 0 dead'],
    );
    assert.ok(writes.every((w) => w.endsWith('\n') && !w.includes('\r')));
  });
});

describe('summary, flags, tables', () => {
  test('the summary names every figure, and the stop reason when there is one', () => {
    const text = drainSummary({ ...report(10, 1, 2), requests: 12, rateLimited: 1, durationMs: 2_000, stopped: 'the daily Pipedrive token budget is spent until 2026-03-11T00:00:00.000Z' });
    for (const line of ['processed    10', 'succeeded    7', 'rescheduled  1', 'dead         2', 'lease lost   0', 'requests     12', '429s         1', 'duration     2.0 s', 'jobs/s       5.0', 'stopped      the daily Pipedrive token budget is spent until 2026-03-11T00:00:00.000Z']) {
      assert.ok(text.includes(`  ${line}\n`), `${line} in\n${text}`);
    }
    assert.equal(drainExitCode(report(3, 1, 0)), 0);
    assert.equal(drainExitCode(report(3, 0, 1)), 3);
    assert.equal(drainExitCode({ ...report(3, 1, 0), stopped: 'AUTH: the token was refused' }), 4, 'a stopped drain is not a success');
  });

  test('flags', () => {
    assert.deepEqual(parseDrainFlags(['--config=x.js', '--limit', '5', '--concurrency', '3', '--lease-ms', '1500']), { config: 'x.js', limit: 5, concurrency: 3, leaseMs: 1500, help: false });
    assert.throws(() => parseDrainFlags(['--lease-ms', '10']), /--lease-ms must be a whole number from 100 to 86400000/);
    assert.throws(() => parseDrainFlags(['--json']), /Unknown flag --json/);
    assert.throws(() => parseDrainFlags(['--limit']), /--limit needs a value/);
  });

  test('tables pad columns, align numbers right and cut long cells', () => {
    const text = renderTable([{ header: 'id', align: 'right' }, { header: 'error', maxWidth: 8 }], [['7', 'short'], ['123', 'a much longer error']]);
    assert.equal(text, ' id  error\n---  --------\n  7  short\n123  a much …\n');
    assert.equal(truncate('line one\n  line two', 100), 'line one line two');
  });

  test('durations in words', () => {
    assert.equal(durationInWords(1_000), '1 second');
    assert.equal(durationInWords(59_999), '59 seconds');
    assert.equal(durationInWords(3 * 60_000), '3 minutes');
    assert.equal(durationInWords(5 * 3_600_000), '5 hours');
    assert.equal(durationInWords(3 * 86_400_000), '3 days');
  });
});

describe('the config module', () => {
  const config = { pipedrive: { apiToken: 't' }, store: {} };
  test('the default export or `config`, through the wrappers of CommonJS and transpiled modules', () => {
    const fn = async () => config;
    assert.equal(pickExport(config), config);
    assert.equal(pickExport({ default: config }), config);
    assert.equal(pickExport({ default: { __esModule: true, default: config } }), config);
    assert.equal(pickExport({ config }), config);
    assert.equal(pickExport({ default: { config } }), config);
    assert.equal(pickExport({ default: fn }), fn);
  });

  test('found by flag, then $PIPEDRIVE_SYNC_CONFIG, then the default name in the working directory', () => {
    assert.deepEqual(resolveConfigPath('c.js', { PIPEDRIVE_SYNC_CONFIG: '/e.js' }, '/app'), { path: '/app/c.js', source: '--config' });
    assert.deepEqual(resolveConfigPath(undefined, { PIPEDRIVE_SYNC_CONFIG: 'e.js' }, '/app'), { path: '/app/e.js', source: 'PIPEDRIVE_SYNC_CONFIG' });
    assert.deepEqual(resolveConfigPath(undefined, {}, '/app'), { path: '/app/pipedrive-sync.config.js', source: 'default' });
  });
});
