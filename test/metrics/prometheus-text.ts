import { expect } from "vitest";

/** One sample line of Prometheus' text format. */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** A parsed exposition: its samples, and the HELP and TYPE of each metric family. */
export interface Exposition {
  readonly samples: readonly Sample[];
  readonly help: ReadonlyMap<string, string>;
  readonly type: ReadonlyMap<string, string>;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$/;
const LABEL = /\s*([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"\s*,?/y;

function unescapeLabel(value: string): string {
  return value.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
}

function parseValue(text: string): number {
  if (text === "+Inf") return Number.POSITIVE_INFINITY;
  if (text === "-Inf") return Number.NEGATIVE_INFINITY;
  return Number(text);
}

/** Parses Prometheus' text format (version 0.0.4); fails the test on any line it cannot read. */
export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const help = new Map<string, string>();
  const type = new Map<string, string>();
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    const meta = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (meta !== null) {
      (meta[1] === "HELP" ? help : type).set(meta[2] ?? "", meta[3] ?? "");
      continue;
    }
    if (line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    expect(match, `unreadable sample line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    const body = match?.[2] ?? "";
    LABEL.lastIndex = 0;
    while (LABEL.lastIndex < body.length) {
      const label = LABEL.exec(body);
      expect(label, `unreadable labels: ${body}`).not.toBeNull();
      if (label === null) break;
      labels[label[1] ?? ""] = unescapeLabel(label[2] ?? "");
    }
    samples.push({ name: match?.[1] ?? "", labels, value: parseValue(match?.[3] ?? "") });
  }
  return { samples, help, type };
}

/** What a scrape of `/metrics` answered. */
export interface Scrape extends Exposition {
  readonly contentType: string | null;
  /**
   * The value of the one sample named `name` whose labels include `labels`; `undefined` when there is none. Fails
   * the test when several match.
   */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The samples named `name` whose labels include `labels`. */
  matching(name: string, labels?: Record<string, string>): Sample[];
}

/** Fetches and parses `http://127.0.0.1:<port>/metrics`. */
export async function scrape(port: number | undefined): Promise<Scrape> {
  expect(port, "the server should serve metrics").toBeTypeOf("number");
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  expect(response.status).toBe(200);
  const exposition = parseExposition(await response.text());
  const matching = (name: string, labels: Record<string, string> = {}) =>
    exposition.samples.filter(
      (sample) =>
        sample.name === name &&
        Object.entries(labels).every(([label, value]) => sample.labels[label] === value),
    );
  return {
    ...exposition,
    contentType: response.headers.get("content-type"),
    matching,
    value(name, labels = {}) {
      const found = matching(name, labels);
      expect(found.length, `samples of ${name} ${JSON.stringify(labels)}`).toBeLessThanOrEqual(1);
      return found[0]?.value;
    },
  };
}

/** How much a counter (or histogram count or sum) grew from `before` to `after`; absent before counts as 0. */
export function delta(
  before: Scrape,
  after: Scrape,
  name: string,
  labels: Record<string, string> = {},
): number {
  const now = after.value(name, labels);
  expect(now, `${name} ${JSON.stringify(labels)} should be exported`).toBeDefined();
  return (now ?? 0) - (before.value(name, labels) ?? 0);
}
