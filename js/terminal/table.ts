/**
 * @module terminal/table
 * Plain-text tables for the CLI's and the demo's output: columns padded to their widest cell (numbers
 * right-aligned), long cells cut with an ellipsis, and label/value lists for summaries.
 */

/** One column of a table. */
export interface Column {
  /** Header text. */
  header: string;
  /** Alignment of the cells (default left). */
  align?: 'left' | 'right';
  /** Longer cells are cut to this many characters, ending with `…`. */
  maxWidth?: number;
}

/** Cuts `text` to `max` characters, ending with `…` when it was longer; line breaks become spaces. */
export function truncate(text: string, max: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`;
}

/** Renders rows under a header line and a rule, two spaces between columns, each line ending with `\n`. */
export function renderTable(columns: Column[], rows: string[][], indent = ''): string {
  const cells = rows.map((row) => columns.map((c, i) => (c.maxWidth ? truncate(row[i] ?? '', c.maxWidth) : row[i] ?? '')));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => row[i].length)));
  const line = (row: string[]): string =>
    indent + row.map((cell, i) => (columns[i].align === 'right' ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd() + '\n';
  return line(columns.map((c) => c.header)) + line(widths.map((w) => '-'.repeat(w))) + cells.map(line).join('');
}

/** Renders `label  value` lines with the labels padded to the longest one. */
export function renderPairs(pairs: Array<[string, string]>, indent = '  '): string {
  const width = Math.max(0, ...pairs.map(([label]) => label.length));
  return pairs.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}\n`).join('');
}
