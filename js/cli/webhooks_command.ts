/**
 * @module cli/webhooks_command
 * `pipedrive-sync webhooks ensure|list|remove`: the Pipedrive webhooks v2 subscriptions that deliver to the CRM,
 * over `sync.webhooks`. `ensure` takes the Basic auth from the flags or from the config's `webhooks`; no password
 * is ever printed.
 */

import { EXIT_OK, processIo, runCommand, type CommandIo } from '../terminal/command_io';
import { parseFlags, splitWords, UsageError } from '../terminal/flags';
import { renderTable } from '../terminal/table';
import { withEngine } from './engine_command';
import { CONFIG_HELP } from './load_config';

/** Usage text of the `webhooks` command. */
export const WEBHOOKS_USAGE = `Usage: pipedrive-sync webhooks ensure --url URL [--username U --password P] [--events '*.person,...'] [--config PATH]
       pipedrive-sync webhooks list [--config PATH]
       pipedrive-sync webhooks remove ID [--config PATH]

ensure creates the webhooks v2 subscriptions missing for URL (default: every action on persons, organizations,
activities and deals), once; the Basic auth comes from the flags or from the config's \`webhooks\`. list shows the
account's webhooks, remove deletes one. Exit code 0, 1 when it failed, 2 bad arguments.

${CONFIG_HELP}`;

/** Parsed arguments of `webhooks`. */
export interface WebhooksFlags {
  action?: 'ensure' | 'list' | 'remove';
  id?: string;
  config?: string;
  url?: string;
  username?: string;
  password?: string;
  events?: string[];
  help?: boolean;
}

/** Parses `webhooks` arguments. */
export function parseWebhooksFlags(argv: string[]): WebhooksFlags {
  const { words, flags } = splitWords(argv, 2);
  const f = parseFlags(flags, ['config', 'url', 'username', 'password', 'events'], {});
  if (f.help === true) return { help: true };
  const [action, id] = words;
  if (action !== 'ensure' && action !== 'list' && action !== 'remove') throw new UsageError("the first argument must be 'ensure', 'list' or 'remove'");
  if (action === 'remove' && !/^\d+$/.test(id ?? '')) throw new UsageError('remove needs the webhook id, a whole number');
  if (action !== 'remove' && id !== undefined) throw new UsageError(`Unexpected argument '${id}'`);
  if (action === 'ensure' && typeof f.url !== 'string') throw new UsageError('ensure needs --url, the address of the webhook route');
  if ((f.username === undefined) !== (f.password === undefined)) throw new UsageError('--username and --password go together');
  return {
    action, id, config: f.config as string | undefined, url: f.url as string | undefined, username: f.username as string | undefined,
    password: f.password as string | undefined, events: typeof f.events === 'string' ? f.events.split(',').map((e) => e.trim()) : undefined,
  };
}

/** Runs `webhooks`; resolves the exit code. */
export function runWebhooksCommand(argv: string[], io: CommandIo = processIo()): Promise<number> {
  return runCommand({ name: 'webhooks', usage: WEBHOOKS_USAGE, parse: parseWebhooksFlags, run: webhooks }, argv, io);
}

/** One webhook as a table row. */
function row(hook: Record<string, unknown>): string[] {
  const text = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  return [text(hook.id), `${text(hook.event_action)}.${text(hook.event_object)}`, text(hook.subscription_url), text(hook.version), hook.is_active === 0 || hook.is_active === false ? 'no' : 'yes', text(hook.last_http_status)];
}

const COLUMNS = [{ header: 'id', align: 'right' as const }, { header: 'event' }, { header: 'url', maxWidth: 60 }, { header: 'version' }, { header: 'active' }, { header: 'last status' }];

async function webhooks(flags: WebhooksFlags, io: CommandIo): Promise<number> {
  return withEngine('webhooks', flags.config, io, async (sync, config) => {
    if (flags.action === 'list') {
      const hooks = await sync.webhooks.list();
      io.stdout.write(hooks.length === 0 ? 'No webhooks.\n' : renderTable(COLUMNS, hooks.map(row)));
      return EXIT_OK;
    }
    if (flags.action === 'remove') {
      await sync.webhooks.remove(Number(flags.id));
      io.stdout.write(`Removed webhook ${flags.id}.\n`);
      return EXIT_OK;
    }
    const auth = flags.username !== undefined ? { username: flags.username, password: flags.password as string } : config.webhooks;
    if (!auth) throw new UsageError("no Basic auth: pass --username and --password, or set the config's webhooks: { username, password }");
    const result = await sync.webhooks.ensure({ url: flags.url as string, ...auth, events: flags.events });
    io.stdout.write(`${result.created.length} created, ${result.existing.length} already there.\n`);
    io.stdout.write(renderTable(COLUMNS, [...result.created, ...result.existing].map(row)));
    return EXIT_OK;
  });
}
