/**
 * @module terminal/flags
 * Command-line flags as the `drain`, `status` and `demo` commands read them: `--name value` and `--name=value`
 * pairs, whole numbers checked against a range, value-less booleans and `--help`/`-h`; a mistake is a
 * {@link UsageError} that names the flag.
 */

/** A usage mistake (unknown flag, bad value): reported with the usage text and exit code 2. */
export class UsageError extends Error {}

/** Reads `--name value` and `--name=value` pairs; `integers` maps flag names to their allowed ranges. */
export function parseFlags(
  argv: string[],
  strings: string[],
  integers: Record<string, [number, number]>,
  booleans: string[] = [],
): Record<string, string | number | boolean> {
  const flags: Record<string, string | number | boolean> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') {
      flags.help = true;
      continue;
    }
    if (!arg.startsWith('--')) throw new UsageError(`Unexpected argument '${arg}'`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (booleans.includes(name)) {
      if (eq >= 0) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
      continue;
    }
    if (!strings.includes(name) && !(name in integers)) throw new UsageError(`Unknown flag --${name}`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '') throw new UsageError(`--${name} needs a value`);
    if (name in integers) {
      const [min, max] = integers[name];
      if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
        throw new UsageError(`--${name} must be a whole number from ${min} to ${max}, got '${value}'`);
      }
      flags[name] = Number(value);
    } else {
      flags[name] = value;
    }
  }
  return flags;
}

/**
 * Splits the leading words of `argv` (a sub-command and its arguments, e.g. `resolve 7 local`) from the flags that
 * follow; at most `max` words, the rest must be flags.
 */
export function splitWords(argv: string[], max: number): { words: string[]; flags: string[] } {
  const words: string[] = [];
  let index = 0;
  while (index < argv.length && words.length < max && !argv[index].startsWith('-')) words.push(argv[index++]);
  return { words, flags: argv.slice(index) };
}
