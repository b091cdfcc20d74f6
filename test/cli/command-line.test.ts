import { describe, expect, it } from "vitest";
import { CliError } from "../../src/cli/cli-error.js";
import { metricsPortOption, withMetricsPort } from "../../src/cli/serve-command.js";
import { COMMAND_NAMES } from "../../src/cli/usage.js";
import { runCliHere } from "../support/cli-runner.js";
import { serverConfig } from "../support/server-fixture.js";

/** Runs `redisession <argv>` in this process, with stdout and stderr kept; no Redis answers at the one configured. */
const run = (...argv: string[]) => runCliHere(argv, { REDIS_URL: "redis://127.0.0.1:1" });

/** The flags a synopsis or an option list names: `--config`, `--metrics-port`, `-h`. */
const flagsIn = (text: string) => new Set(text.match(/(?<=[\s[|])--?[a-z][a-z-]*/g));

/** The "Options:" section of a command's usage. */
const optionList = (usage: string) => usage.split("\nOptions:\n")[1]?.split("\n\n")[0] ?? "";

describe("redisession --help", () => {
  it("prints every command's synopsis and exits 0, as do -h, help and no command at all", async () => {
    for (const argv of [["--help"], ["-h"], ["help"], []]) {
      const result = await run(...argv);
      expect(result.code, argv.join(" ")).toBe(0);
      expect(result.stderr).toBe("");
      for (const name of COMMAND_NAMES) expect(result.stdout).toContain(`redisession ${name} [`);
      expect(result.stdout).toBe((await run("--help")).stdout);
    }
  });

  it.each(COMMAND_NAMES)("%s --help and -h print that command's usage and exit 0", async (name) => {
    const help = await run(name, "--help");
    expect(help.code).toBe(0);
    expect(help.stderr).toBe("");
    expect(help.stdout).toMatch(new RegExp(`^usage: redisession ${name} `));
    // Its own options, no other command's: the same as the general usage's synopsis of this command lists.
    const general = (await run("--help")).stdout;
    const synopsis = general.split("\n").find((line) => line.includes(`redisession ${name} `)) ?? "";
    expect(flagsIn(optionList(help.stdout))).toEqual(new Set([...flagsIn(synopsis), "-h", "--help"]));

    expect(await run(name, "-h")).toEqual(help);
    expect(await run("help", name)).toEqual(help);
  });

  it("answers --help before checking the other arguments", async () => {
    // Without --help, train-dictionary refuses to run without --out, and serve refuses a port out of range.
    expect((await run("train-dictionary")).code).toBe(2);
    expect((await run("train-dictionary", "--store", "x", "--help")).code).toBe(0);
    expect((await run("serve", "--port", "70000", "-h")).code).toBe(0);
  });

  it("refuses an unknown command or option with status 2 and the usage", async () => {
    const unknown = await run("bogus", "--help");
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/^redisession: unknown command "bogus"\nusage: redisession serve /);
    const option = await run("stats", "--bogus");
    expect(option.code).toBe(2);
    expect(option.stderr).toMatch(/^redisession: Unknown option '--bogus'.*\nusage: redisession stats /);
    const badPort = await run("serve", "--port", "70000");
    expect(badPort.code).toBe(2);
    expect(badPort.stderr).toBe("redisession: --port must be an integer from 0 to 65535\n");
    expect((await run("help", "bogus")).code).toBe(2);
    expect((await run("help", "serve", "stats")).code).toBe(2);
  });
});

describe("serve --metrics-port", () => {
  it("takes a port, 0, or off", () => {
    expect(metricsPortOption(undefined)).toBeUndefined();
    expect(metricsPortOption("off")).toBe("off");
    expect(metricsPortOption("0")).toBe(0);
    expect(metricsPortOption("9100")).toBe(9100);
    for (const bad of ["", "x", "-1", "70000", "9100.5", " 9100", "OFF"]) {
      expect(() => metricsPortOption(bad), bad).toThrow(CliError);
    }
  });

  it("moves the endpoint, turns it on at the port given, or turns it off", () => {
    const config = serverConfig({ server: { metrics: { host: "127.0.0.1", port: 9464 } } });
    expect(withMetricsPort(config, undefined)).toBe(config);
    expect(withMetricsPort(config, 0).server.metrics).toEqual({ enabled: true, host: "127.0.0.1", port: 0 });
    expect(withMetricsPort(config, "off").server.metrics.enabled).toBe(false);
    const disabled = serverConfig({ server: { metrics: { enabled: false } } });
    expect(withMetricsPort(disabled, 9100).server.metrics).toMatchObject({ enabled: true, port: 9100 });
  });

  it("refuses anything else with status 2", async () => {
    const result = await run("serve", "--metrics-port", "9o00");
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('redisession: --metrics-port must be an integer from 0 to 65535, or "off"\n');
  });
});
