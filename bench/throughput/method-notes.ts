/**
 * How the figures were made, printed above the tables: the load shapes, the checks, the latency method and the
 * exact h2load command lines, so that a reader can judge (and repeat) every number.
 */
import { cpus } from "node:os";
import { PACED_STREAMS } from "./paced-latency.js";
import type { RunFigures } from "./report.js";
import { LIGHT_RATE } from "./workload.js";

const cores = () => cpus().length;

const int = (value: number) => Math.round(value).toLocaleString("en-US");

/** The method section of the suite's markdown. */
export function methodNotes(figures: RunFigures): string {
  const { plan } = figures;
  const lightCalls = LIGHT_RATE * plan.latencySeconds;
  const timing = `${plan.timing.warmUpSeconds} s warm-up + ${plan.timing.durationSeconds} s measured`;
  const lines = Object.entries(figures.commandLines).flatMap(([name, commands]) => [
    `# ${name}`,
    ...commands,
  ]);
  return [
    `One \`redisession serve\` process with four stores on one private Redis; ${plan.rounds} round(s), each figure ` +
      "the median over rounds. Every ratio is the median of per-round ratios to the Health.Check ceiling " +
      "measured just before it, on the same server, with the same load shape.",
    "",
    `- Load shape (h2load, ${timing}): 4 h2load processes × 1 connection × 32 streams, one request body each ` +
      "(h2load cannot vary the body per request). GetSession: four different existing sessions, one per " +
      "connection. SaveSession: a MUST_EXIST update of one session (the same key on all four connections; the data is the " +
      "same ~210-byte session on every call). 80/20 mix: the four GetSession processes plus one SaveSession " +
      "process of the same shape (5 connections), run at once; closed-loop, so the real Get share is shown.",
    "- Checks: h2load must report every request succeeded with a 2xx status, and the service's own " +
      "`redisession_rpc_calls_total` counters must show only OK for the method in that window, at least as many " +
      "as h2load completed (h2load cannot see grpc-status trailers). Before any load, every body's own bytes are " +
      "sent once through grpc-js and the response checked (the right session and data; 100 of 100 in a batch).",
    `- Latency: h2load paced with \`--rps\` at half the median ceiling (${int(figures.latencyRate)} calls/s, the ` +
      "issue's load), at half of each store's own median GetSession req/s under h2load, and at a light " +
      `${int(LIGHT_RATE)} calls/s (${int(lightCalls)} calls per round, so its p99.9 rests on the ` +
      `${int(Math.max(1, lightCalls / 1000))} slowest); 4 connections with ${PACED_STREAMS} streams each, ` +
      `${plan.latencySeconds} s per round after a ${plan.latencyWarmUpSeconds} s warm-up, each round started once ` +
      "the service is idle. h2load logs every call of the measured time (`--log-file`) and the percentiles are " +
      "exact over all of them (calls still in flight when it ends are left out). Each connection sends on its own schedule whether or not earlier calls have " +
      "answered, as long as it has a free stream; 'achieved' below the rate means the service fell behind. " +
      "Health.Check at the same rate is the floor: what grpc-js and this machine give a call that does nothing. " +
      "The same checks as above apply (every call OK in the service's counters). h2load is C and light; a grpc-js " +
      `generator on the same ${cores()} cores took half a core at 1,000 calls/s and fell behind its own schedule.`,
    "- BatchGetSessions: h2load as above but 4 streams per connection, each body 100 distinct existing keys; " +
      "sessions/s = calls/s × 100 (all found, verified).",
    "- CPU: user + system time of the service and Redis processes (/proc) over each run, divided by the OK calls " +
      "the service counted (warm-up included on both sides).",
    "",
    "h2load command lines (store hash-none; the others differ only in the body files):",
    "",
    "```sh",
    ...lines,
    "```",
  ].join("\n");
}
