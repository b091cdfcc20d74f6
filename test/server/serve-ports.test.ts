import { describe, expect, it } from "vitest";
import { type CliResult, runCli, writeConfigFile } from "../support/cli-runner.js";
import { type OccupiedPort, occupyPort } from "../support/ports.js";
import { workerRedisUrl } from "../support/redis-fixture.js";
import { spawnServe } from "../support/serve-process.js";

/** A configuration on the worker's Redis whose metrics endpoint is on loopback, at `metricsPort`. */
const configYaml = (metricsPort: number) =>
  `redis:\n  default:\n    url: ${workerRedisUrl()}\nserver:\n  metrics:\n    host: 127.0.0.1\n    port: ${metricsPort}\n`;

const configFile = (metricsPort: number) => writeConfigFile(configYaml(metricsPort));

/** Every line the process wrote, stdout's then stderr's. */
const outputLines = (result: CliResult) =>
  `${result.stdout}${result.stderr}`.split("\n").filter((line) => line !== "");

/** Runs `test` with a port held by a real listener meanwhile. */
async function withTakenPort(test: (taken: OccupiedPort) => Promise<void>): Promise<void> {
  const taken = await occupyPort();
  try {
    await test(taken);
  } finally {
    await taken.close();
  }
}

/** Asserts that the start failed with exactly one line, on stderr, naming `address`, and nothing else. */
function expectOneLineFailure(result: CliResult, address: string, line: string) {
  expect(result.code).toBe(1);
  expect(result.stderr).toBe(`${line}\n`);
  expect(outputLines(result).filter((text) => text.includes(address))).toEqual([line]);
  expect(`${result.stdout}${result.stderr}`).not.toMatch(/^\s+at /m); // no stack trace
  expect(result.stdout).not.toContain("listening");
}

// Each test runs a real `redisession serve` process, with a port of its own held by a real listener.
describe("redisession serve on a port that cannot be bound", () => {
  it("ends with one line naming server.port and --port when the gRPC port is taken", () =>
    withTakenPort(async (taken) => {
      const args = ["serve", "--config", configFile(0), "--host", "127.0.0.1", "--port", `${taken.port}`];
      const result = await runCli(args);
      const address = `127.0.0.1:${taken.port}`;
      expectOneLineFailure(
        result,
        address,
        `redisession: cannot listen for gRPC on ${address} (server.port or --port): the port is already in use ` +
          "(another redisession, or another program)",
      );
    }));

  it("ends with one line naming server.metrics.port and --metrics-port when the metrics port is taken", () =>
    withTakenPort(async (taken) => {
      const result = await runCli([
        ...["serve", "--config", configFile(0), "--host", "127.0.0.1", "--port", "0"],
        ...["--metrics-port", `${taken.port}`],
      ]);
      const address = `127.0.0.1:${taken.port}`;
      expectOneLineFailure(
        result,
        address,
        `redisession: cannot listen for metrics on ${address} (server.metrics.port or --metrics-port): the port ` +
          "is already in use (another redisession, or another program)",
      );
    }));
});

describe("redisession serve --metrics-port", () => {
  it("0 serves metrics on a free port that the readiness line names, answering as soon as it is logged", () =>
    // The configured port is taken: only the flag lets this start succeed.
    withTakenPort(async (taken) => {
      const served = await spawnServe(configYaml(taken.port), {}, ["--metrics-port", "0"]);
      try {
        expect(served.metricsPort).toBeTypeOf("number");
        expect(served.metricsPort).not.toBe(taken.port);
        const response = await fetch(`http://127.0.0.1:${served.metricsPort}/metrics`);
        expect(response.status).toBe(200);
        expect(await response.text()).toContain("redisession_rpc_calls_total");
      } finally {
        await served.kill();
      }
    }));

  it("off serves no metrics, whatever port the configuration names", () =>
    withTakenPort(async (taken) => {
      const served = await spawnServe(configYaml(taken.port), {}, ["--metrics-port", "off"]);
      try {
        expect(served.metricsPort).toBeUndefined();
        expect(served.logs.map((record) => record.msg)).not.toContain("metrics listening");
      } finally {
        await served.kill();
      }
    }));

  it("--help prints serve's usage and exits 0", async () => {
    const result = await runCli(["serve", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(/^usage: redisession serve .*--metrics-port N\|off/);
  });
});
