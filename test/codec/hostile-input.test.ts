// Decompression bombs and forged headers against every compressing codec, with peak memory measured.
//
// Peak RSS is a per-process high-water mark, and vitest's forks pool may run other test files in the same worker
// first, leaving an old peak above the worker's current RSS. So the measurements are taken in a fresh process
// that does nothing else and resets the mark before each call: the bomb lab (support/bomb-lab.ts), spawned once
// here. This file only checks its report.
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CodecErrorReason } from "../../src/codec/index.js";
import { BUDGET_KIB, CAP, type CaseName, type CaseOutcome, type LabReport } from "./support/bomb-lab.js";
import { GiB, MiB } from "./support/bombs.js";

const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));
const LAB_ENTRY = fileURLToPath(new URL("./support/run-bomb-lab.ts", import.meta.url));
/** The lab takes about a second; the rest is room for a loaded machine. */
const LAB_TIMEOUT_MS = 60_000;

/** Runs the lab in a fresh Node process (`--import tsx`, as it is TypeScript) and parses its one-line report. */
async function runLab(): Promise<LabReport> {
  const { stdout } = await promisify(execFile)(process.execPath, ["--import", "tsx", LAB_ENTRY], {
    cwd: REPO_ROOT,
    timeout: LAB_TIMEOUT_MS,
  });
  return JSON.parse(stdout.trim().split("\n").at(-1) ?? "") as LabReport;
}

let report: LabReport;

beforeAll(async () => {
  report = await runLab();
}, LAB_TIMEOUT_MS + 5_000);

// Set CODEC_BOMB_REPORT=1 to print every measurement (KiB) and input size (bytes).
afterAll(() => {
  if (!process.env.CODEC_BOMB_REPORT || report === undefined) return;
  console.table({ startup: report.startup, built: report.built });
  console.table(
    Object.fromEntries(
      Object.entries(report.cases).map(([name, { thrown, input, before, ...figures }]) => [
        name,
        {
          thrown: thrown && `${thrown.name}/${thrown.reason}`,
          inputBytes: input.bytes,
          ...before,
          ...figures,
        },
      ]),
    ),
  );
});

/** The lab's outcome for one case. */
function outcome(name: CaseName): CaseOutcome {
  return report.cases[name];
}

/**
 * Asserts the call was refused for `reason` while peak RSS stayed within the budget. The growth counted includes
 * any headroom (an old peak above the RSS the call started from), so it can only overstate the call's own.
 */
function expectRefusedWithinBudget(measured: CaseOutcome, reason: CodecErrorReason): void {
  expect(measured.thrown).toMatchObject({ name: "CodecError", reason });
  expect(measured.growthKiB, "peak RSS growth (KiB)").toBeLessThanOrEqual(BUDGET_KIB);
}

describe(`hostile input under a ${CAP / MiB} MiB cap`, () => {
  // Where it can (Linux, as in CI), the lab starts each call with the mark at the current RSS: no history, of this
  // process or of the machine's load, counts as growth.
  it.runIf(process.platform === "linux")("is measured from a high-water mark reset before each call", () => {
    const notReset = Object.entries(report.cases).filter(([, measured]) => !measured.peakReset);
    expect(notReset.map(([name]) => name)).toEqual([]);
  });

  it("zstd: refuses a frame asking for a 128 MiB window (above the decoder's limit)", () => {
    // zstd-napi reports zstd errors by name only, so a refused window is `malformed`, not `limit`.
    expectRefusedWithinBudget(outcome("zstdHugeWindow"), "malformed");
  });

  // The same bombs against both zstd codecs: zstd-dict's payload is the dictionary's 4-byte id, then the frame.
  describe.each([
    {
      codec: "zstd",
      idBytes: 0,
      forged: "forgedZstd",
      declared: "zstdDeclared",
      undeclared: "zstdUndeclared",
      maxWindow: "zstdMaxWindow",
    },
    {
      codec: "zstd-dict",
      idBytes: 4,
      forged: "zstdDictForged",
      declared: "zstdDictDeclared",
      undeclared: "zstdDictUndeclared",
      maxWindow: "zstdDictMaxWindow",
    },
  ] as const)("$codec", ({ idBytes, forged, declared, undeclared, maxWindow }) => {
    it("refuses a forged 18-byte frame header declaring 3 GiB without allocating it", () => {
      const measured = outcome(forged);
      expect(measured.input).toEqual({ bytes: idBytes + 18, zstdContentSize: 3 * GiB, zstdFrameBytes: 18 });
      expectRefusedWithinBudget(measured, "limit");
    });

    it("refuses a real 512 MiB bomb that declares its size, from the header alone", () => {
      const measured = outcome(declared);
      expect(measured.input.zstdContentSize).toBe(512 * MiB);
      expectRefusedWithinBudget(measured, "limit");
    });

    it("stops a real 512 MiB bomb that hides its size once output passes the cap", () => {
      const measured = outcome(undeclared);
      expect(measured.input.zstdContentSize).toBeNull();
      expectRefusedWithinBudget(measured, "limit");
    });

    it("stays within budget for a 64 MiB bomb using the largest accepted window (8 MiB)", () => {
      const measured = outcome(maxWindow);
      expect(measured.input.zstdContentSize).toBeNull();
      expectRefusedWithinBudget(measured, "limit");
    });
  });

  it("gzip: stops a 128 MiB bomb once output passes the cap", () => {
    expectRefusedWithinBudget(outcome("gzip"), "limit");
  });

  it("brotli: stops a 128 MiB bomb with the default 4 MiB window once output passes the cap", () => {
    expectRefusedWithinBudget(outcome("brotli"), "limit");
  });

  it("brotli: refuses a 128 MiB bomb declaring a 16 MiB window before decoding", () => {
    expectRefusedWithinBudget(outcome("brotliWideWindow"), "limit");
  });

  // Proof that the budget assertions above can fail: zstd-napi's own decompress() trusts the declared 64 MiB and
  // fills a buffer that size, and the same measurement must see it. The lab runs it last, because it raises the
  // process's high-water mark for good.
  it("sanity: the naive zstd-napi decompress() of a 64 MiB bomb blows the same budget", () => {
    const naive = outcome("naiveZstd");
    expect(naive.input.zstdContentSize).toBe(64 * MiB);
    expect(naive.thrown).toBeNull();
    // The mark rose during the call, so the growth is the call's own, not an old peak's.
    expect(naive.peakKiB).toBeGreaterThan(naive.before.maxRssKiB);
    expect(naive.growthKiB, "peak RSS growth (KiB)").toBeGreaterThan(BUDGET_KIB);
  });
});
