import { stringify as toYaml } from 'yaml';
import type { OutputFormat } from '../config/index.js';

export interface Column<T> {
  readonly header: string;
  readonly value: (row: T) => string;
}

/** Renders rows as kubectl does: an aligned table, or the full objects as JSON or YAML. */
export function render<T>(
  format: OutputFormat,
  rows: readonly T[],
  columns: readonly Column<T>[],
  document: unknown = rows,
): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(document, null, 2)}\n`;
    case 'yaml':
      return toYaml(document);
    case 'table':
      return table(rows, columns);
    case 'csv':
      return csv(rows, columns);
    default: {
      const unreachable: never = format;
      return String(unreachable);
    }
  }
}

export function table<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const cells = rows.map((row) => columns.map((column) => sanitize(column.value(row))));
  const widths = columns.map((column, index) =>
    Math.max(column.header.length, ...cells.map((line) => line[index]?.length ?? 0)),
  );
  const line = (values: readonly string[]) =>
    values
      .map((value, index) => (index === values.length - 1 ? value : value.padEnd(widths[index] ?? 0)))
      .join('   ')
      .trimEnd();
  return `${[line(columns.map((column) => column.header)), ...cells.map(line)].join('\n')}\n`;
}

/** Cluster data can carry control characters; never let it drive the user's terminal. */
export function sanitize(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
  return value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** RFC 4180 CSV: quote fields with commas, quotes or line breaks. */
export function csv<T>(rows: readonly T[], columns: readonly Column<T>[]): string {
  const field = (value: string) => (/[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value);
  const line = (values: readonly string[]) => values.map(field).join(',');
  return `${[line(columns.map((column) => column.header)), ...rows.map((row) => line(columns.map((column) => column.value(row))))].join('\r\n')}\r\n`;
}
