/**
 * The h2load driver: gRPC over h2c with pre-encoded bodies, several h2load processes at once (one per request
 * body, since h2load posts the same body on every request of a process), their output parsed.
 *
 * Timing-based runs (`-D` with `--warm-up-time`) rather than a fixed request count: a fixed count would make a
 * 5,000 req/s run last four times as long as a 20,000 req/s one, and the warm-up keeps connection setup, JIT
 * compilation and Redis script caching out of the figures. h2load's req/s is the main-duration count divided by
 * the main duration.
 */
import { execFileSync, spawn } from "node:child_process";
import type { Timing } from "./workload.js";

/** One h2load process: a method, a body, and its share of the load. */
export interface H2loadJob {
  /** The gRPC path, e.g. `/grpc.health.v1.Health/Check`. */
  readonly path: string;
  /** The framed request body (see `grpc-frames.ts`). */
  readonly bodyFile: string;
  readonly connections: number;
  readonly streams: number;
  /** Paced: requests per second of each connection (`--rps`); unpaced (as fast as the streams allow) if absent. */
  readonly rps?: number;
  /** Where h2load logs every request of the measured duration: start, status, duration in µs (`--log-file`). */
  readonly logFile?: string;
}

/** What one h2load process reported. */
export interface H2loadResult {
  readonly job: H2loadJob;
  readonly reqPerSec: number;
  readonly succeeded: number;
  /** failed + errored + timeout. */
  readonly failed: number;
  /** Responses with a status other than 2xx. */
  readonly non2xx: number;
}

/** One line saying how to install h2load, thrown when it is missing. */
export function assertH2loadInstalled(): void {
  try {
    execFileSync("h2load", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("h2load is not on PATH: install it with apt-get install nghttp2-client");
  }
}

/** A duration as h2load takes fractions of a second (`-D 1.5` is refused). */
const milliseconds = (seconds: number) => `${Math.round(seconds * 1000)}ms`;

/** h2load's arguments for `job` against `port`. */
export function h2loadArgs(port: number, job: H2loadJob, timing: Timing): string[] {
  return [
    "-c",
    String(job.connections),
    "-m",
    String(job.streams),
    "-t",
    "1",
    "-D",
    milliseconds(timing.durationSeconds),
    "--warm-up-time",
    milliseconds(timing.warmUpSeconds),
    ...(job.rps === undefined ? [] : ["--rps", String(job.rps)]),
    ...(job.logFile === undefined ? [] : ["--log-file", job.logFile]),
    "-d",
    job.bodyFile,
    "-H",
    "content-type: application/grpc",
    "-H",
    "te: trailers",
    `http://127.0.0.1:${port}${job.path}`,
  ];
}

/** The command line of `job`, quoted for a shell, for the report. */
export function h2loadCommandLine(port: number, job: H2loadJob, timing: Timing): string {
  const quote = (arg: string) => (/^[\w./:=-]+$/.test(arg) ? arg : `'${arg}'`);
  return ["h2load", ...h2loadArgs(port, job, timing).map(quote)].join(" ");
}

function count(output: string, pattern: RegExp, what: string): number {
  const match = pattern.exec(output);
  if (match?.[1] === undefined) throw new Error(`h2load output has no ${what}:\n${output}`);
  return Number(match[1]);
}

/** The figures in h2load's summary. */
export function parseH2load(job: H2loadJob, output: string): H2loadResult {
  const failed =
    count(output, /(\d+) failed/, "failed count") +
    count(output, /(\d+) errored/, "errored count") +
    count(output, /(\d+) timeout/, "timeout count");
  const non2xx =
    count(output, /(\d+) 3xx/, "3xx count") +
    count(output, /(\d+) 4xx/, "4xx count") +
    count(output, /(\d+) 5xx/, "5xx count");
  return {
    job,
    reqPerSec: count(output, /finished in [\d.]+\w+, ([\d.]+) req\/s/, "req/s"),
    succeeded: count(output, /(\d+) succeeded/, "succeeded count"),
    failed,
    non2xx,
  };
}

function runOne(port: number, job: H2loadJob, timing: Timing): Promise<H2loadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn("h2load", h2loadArgs(port, job, timing), { stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`h2load exited with ${code}:\n${output}`));
      else {
        try {
          resolve(parseH2load(job, output));
        } catch (error) {
          reject(error);
        }
      }
    });
  });
}

/** The processes of one measurement, run at the same time, and their summed rate. */
export interface H2loadRun {
  readonly results: readonly H2loadResult[];
  /** Sum of the processes' req/s. */
  readonly reqPerSec: number;
  readonly succeeded: number;
}

/**
 * Runs every job at once and waits for all. Throws when any request failed or got a non-2xx status: a figure
 * from failing calls would be meaningless. (gRPC errors arrive as HTTP 200; the caller checks those.)
 */
export async function runH2load(
  port: number,
  jobs: readonly H2loadJob[],
  timing: Timing,
): Promise<H2loadRun> {
  const results = await Promise.all(jobs.map((job) => runOne(port, job, timing)));
  for (const result of results) {
    if (result.failed > 0 || result.non2xx > 0 || result.succeeded === 0) {
      throw new Error(
        `h2load ${result.job.path}: ${result.succeeded} succeeded, ${result.failed} failed, ${result.non2xx} non-2xx`,
      );
    }
  }
  return {
    results,
    reqPerSec: results.reduce((sum, result) => sum + result.reqPerSec, 0),
    succeeded: results.reduce((sum, result) => sum + result.succeeded, 0),
  };
}
