/**
 * The one way bench/ shows figures on the console: a titled table with aligned columns. What a run measured is
 * kept in bench/results/<suite>.json; these tables are for reading it as it runs.
 */

/** A titled table of figures, already formatted as the cells should read. */
export interface Table {
  readonly title: string;
  readonly header: readonly string[];
  readonly rows: readonly (readonly (string | number)[])[];
}

/** Numbers (and figures such as "1.9×", "12 ms", "35%") are right-aligned; text is left-aligned. */
const FIGURE = /^[-−+]?[\d,.]+( ?[%×a-zA-Zµ/]*)?$/;

/** `table` as lines of text: title, header, a rule, then the rows, columns two spaces apart. */
export function formatTable(table: Table): string {
  const lines = [table.header, ...table.rows].map((row) => row.map(String));
  const widths = table.header.map((_, column) => Math.max(...lines.map((row) => (row[column] ?? "").length)));
  const format = (row: readonly string[]) =>
    row
      .map((cell, column) => {
        const width = widths[column] ?? 0;
        return FIGURE.test(cell) ? cell.padStart(width) : cell.padEnd(width);
      })
      .join("  ")
      .trimEnd();
  return [
    table.title,
    format(lines[0] as string[]),
    widths.map((width) => "-".repeat(width)).join("  "),
    ...lines.slice(1).map(format),
  ].join("\n");
}

/** Prints `table` on stdout, followed by a blank line. */
export function printTable(table: Table): void {
  console.log(`${formatTable(table)}\n`);
}
