/**
 * @module next-crm/app/sync/page
 * The sync console: the outbox (jobs per state, waiting jobs, dead jobs with their errors and a replay), the
 * Pipedrive rate budget, "drain now", the last reconcile report, and the webhook subscriptions.
 */

import { ConsoleButton } from '@/app/components/console_button';
import { requireUser } from '@/lib/auth';
import { lastReconcile, openJobs, webhookSubscriptions } from '@/lib/crm/sync_console';
import { getSync } from '@/lib/sync';

/** Never prerendered: it shows the live queue. */
export const dynamic = 'force-dynamic';

/** An instant as `YYYY-MM-DD HH:MM:SS UTC`, or a dash. */
function when(value: string | number | Date | null | undefined): string {
  if (value === null || value === undefined) return '—';
  return `${new Date(value).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The sync page. */
export default async function SyncPage() {
  await requireUser();
  const sync = await getSync();
  const [stats, jobs, webhooks] = await Promise.all([sync.queue.stats(), openJobs(), webhookSubscriptions()]);
  const rate = sync.rateLimit.snapshot();
  const reconcile = lastReconcile();
  const budget = rate.dailyBudget;
  return (
    <>
      <div className="page-head">
        <div>
          <h1>Sync</h1>
          <p>Every change bound for Pipedrive waits in the outbox, in the CRM’s own database, until Pipedrive has it.</p>
        </div>
        <div className="row">
          <ConsoleButton action="drain" label="Drain now" busyLabel="Draining…" primary testId="drain-now-button" />
        </div>
      </div>

      <section>
        <h2>Outbox</h2>
        <div className="stats" data-testid="queue-stats">
          {(['PENDING', 'RUNNING', 'DONE', 'DEAD'] as const).map((state) => (
            <div className="stat" key={state} data-testid={`jobs-${state.toLowerCase()}`}>
              <b>{stats.counts[state] ?? 0}</b>
              <span>{{ PENDING: 'waiting', RUNNING: 'being sent', DONE: 'done', DEAD: 'given up' }[state]}</span>
            </div>
          ))}
        </div>
        <p className="muted">{stats.due} due now · oldest waiting since {when(stats.oldestPendingAt)}</p>
        {jobs.length > 0 ? (
          <table className="list" data-testid="open-jobs">
            <thead><tr><th>#</th><th>Job</th><th>Record</th><th>State</th><th>Attempts</th><th>Next attempt</th><th>Last error</th></tr></thead>
            <tbody>
              {jobs.map((job) => (
                <tr key={job.id}>
                  <td>{job.id}</td><td>{job.kind.replace(/_/g, ' ')}</td><td>{job.recordType} {job.recordId}</td>
                  <td><span className={`badge ${job.state === 'RUNNING' ? 'SYNCED' : 'PENDING'}`}>{job.state}</span></td>
                  <td>{job.attempts}</td><td>{when(job.nextAttemptAt)}</td><td className="muted">{job.lastError ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </section>

      <section>
        <div className="row between">
          <h2>Dead jobs</h2>
          {stats.dead.length > 0 ? <ConsoleButton action="replay" label="Replay all" busyLabel="Replaying…" testId="replay-all-button" /> : null}
        </div>
        {stats.dead.length === 0 ? (
          <div className="empty">No dead jobs: nothing has been given up.</div>
        ) : (
          <table className="list" data-testid="dead-jobs">
            <thead><tr><th>#</th><th>Job</th><th>Record</th><th>Attempts</th><th>Error</th><th>When</th><th /></tr></thead>
            <tbody>
              {stats.dead.map((job) => (
                <tr key={job.id}>
                  <td>{job.id}</td><td>{job.kind.replace(/_/g, ' ')}</td><td>{job.recordType} {job.recordId}</td><td>{job.attempts}</td>
                  <td className="error-text">{job.lastError ?? '—'}</td><td>{when(job.updatedAt)}</td>
                  <td><ConsoleButton action="replay" jobId={job.id} label="Replay" busyLabel="…" testId="replay-job-button" /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>

      <section>
        <h2>Rate budget</h2>
        <div className="card">
          <p className="sub">
            Daily token budget:{' '}
            {budget.limit === null ? 'not seen yet (no request made)' : `${budget.remaining ?? '?'} of ${budget.limit} left, resets ${when(budget.resetsAt)}`}
          </p>
          {budget.limit ? <div className="meter"><i style={{ width: `${Math.round(((budget.remaining ?? 0) / budget.limit) * 100)}%` }} /></div> : null}
          {rate.tokens.map((token) => (
            <p key={token.token} className="muted" style={{ marginBottom: 0 }}>
              Token {token.token}: burst {token.burst.used}/{token.burst.limit} per 2 s ({token.burst.inFlight} in flight), search {token.search.used}/{token.search.limit}
              {token.pausedUntil ? ` · paused until ${when(token.pausedUntil)}` : ''}
            </p>
          ))}
        </div>
      </section>

      <section>
        <div className="row between">
          <h2>Reconcile</h2>
          <ConsoleButton action="reconcile" label="Run reconcile" busyLabel="Reconciling…" testId="reconcile-button" />
        </div>
        {reconcile ? (
          <table className="list" data-testid="reconcile-report">
            <thead><tr><th>Records</th><th>Linked</th><th>In step</th><th>First seen</th><th>Changed here</th><th>Changed in Pipedrive</th><th>Both</th><th>Deleted</th><th>Merged</th></tr></thead>
            <tbody>
              {reconcile.report.entities.map((entity) => (
                <tr key={entity.entity}>
                  <td>{entity.entity}</td><td>{entity.linked}</td><td>{entity.inStep}</td><td>{entity.baselined}</td><td>{entity.changedLocally}</td>
                  <td>{entity.changedRemotely}</td><td>{entity.changedBoth}</td><td>{entity.gone}</td><td>{entity.merged}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <div className="empty">Reconcile has not run since the app started.</div>
        )}
        {reconcile ? <p className="muted">Ran {when(reconcile.at)}: {reconcile.report.requests} requests, {reconcile.report.tokens} tokens, {reconcile.report.durationMs} ms.</p> : null}
      </section>

      <section>
        <div className="row between">
          <h2>Webhooks</h2>
          <ConsoleButton action="webhooks" label="Subscribe to Pipedrive webhooks" busyLabel="Subscribing…" testId="register-webhooks-button" />
        </div>
        {webhooks.length === 0 ? (
          <div className="empty">No webhook subscriptions: Pipedrive's changes are seen by reconcile only.</div>
        ) : (
          <table className="list" data-testid="webhook-list">
            <thead><tr><th>#</th><th>Event</th><th>URL</th><th>Version</th></tr></thead>
            <tbody>
              {webhooks.map((hook) => (
                <tr key={String(hook.id)}>
                  <td>{String(hook.id)}</td><td>{String(hook.event_action ?? '*')}.{String(hook.event_object ?? '*')}</td>
                  <td>{String(hook.subscription_url ?? '')}</td><td>{String(hook.version ?? '')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
