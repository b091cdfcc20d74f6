/**
 * `npm run bench [-- --quick] [-- --only throughput,memory,codecs,connections,wire-codec,data-depth]`: runs the benchmark
 * suites one after another, prints their tables and the targets, and writes each suite's figures to
 * bench/results/<suite>.json.
 * Separate from `npm test`: speed and memory are measured here, never in timed tests.
 */
import { parseArgs } from "node:util";
import { machineInfo, progress, writeResults } from "./support/harness.js";
import { type Suite, type TargetCheck, targetsTable } from "./support/suite.js";
import { printTable } from "./support/table.js";

const SUITES: Record<string, () => Promise<Suite>> = {
  codecs: async () => (await import("./codecs.js")).run,
  connections: async () => (await import("./connections.js")).run,
  "data-depth": async () => (await import("./data-depth.js")).run,
  memory: async () => (await import("./memory.js")).run,
  throughput: async () => (await import("./throughput.js")).run,
  "wire-codec": async () => (await import("./wire-codec.js")).run,
};

const { values } = parseArgs({
  options: { quick: { type: "boolean", default: false }, only: { type: "string" } },
});
const names = values.only ? values.only.split(",") : Object.keys(SUITES);
const unknown = names.filter((name) => !(name in SUITES));
if (unknown.length > 0)
  throw new Error(`unknown suites: ${unknown.join(", ")} (known: ${Object.keys(SUITES).join(", ")})`);

const machine = machineInfo();
console.log(
  `redisession benchmarks: ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB; Node ${machine.node}; ${machine.redis}; ${machine.date}\n`,
);
const targets: TargetCheck[] = [];
for (const name of names) {
  progress(`suite ${name}${values.quick ? " (quick)" : ""}`);
  const suite = await (SUITES[name] as () => Promise<Suite>)();
  const result = await suite({ quick: values.quick ?? false });
  for (const table of result.tables) printTable({ ...table, title: `${name}: ${table.title}` });
  const file = writeResults(name, {
    quick: values.quick,
    ...(result.figures as object),
    targets: result.targets,
  });
  progress(`figures written to ${file}`);
  targets.push(...result.targets);
}
if (targets.length > 0) printTable(targetsTable(targets));
