import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createSweepProgress, type ProgressStream } from "../../src/cli/sweep-progress.js";

/** A stream that records what is written to it, claiming to be a terminal or not. */
function capture(isTTY: boolean): { stream: ProgressStream; text: () => string } {
  const stream = Object.assign(new PassThrough(), { isTTY, columns: 120 });
  const chunks: Buffer[] = [];
  stream.on("data", (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe("sweep progress", () => {
  it("draws a cli-progress bar on a terminal and clears it when stopped", async () => {
    const { stream, text } = capture(true);
    const progress = createSweepProgress("default", 256, stream);
    progress.update(64, 256);
    progress.update(256, 256);
    progress.stop();
    progress.stop(); // idempotent
    await tick();
    const output = text();
    expect(output).toContain("default [");
    expect(output).toContain("0/256 buckets");
    expect(output).toContain("100% | 256/256 buckets");
    expect(output.endsWith("\x1b[2K")).toBe(true); // the line is cleared, leaving room for the summary
  });

  it("off a terminal writes a plain line at most once per interval, and nothing for a short sweep", async () => {
    let now = 0;
    const { stream, text } = capture(false);
    const progress = createSweepProgress("web", 1000, stream, { intervalMs: 10_000, now: () => now });
    now = 5_000;
    progress.update(100, 1000); // too soon
    now = 10_000;
    progress.update(250, 1000);
    now = 15_000;
    progress.update(400, 1000); // too soon after the last line
    now = 30_000;
    progress.update(1000, 1000); // done: the summary line follows instead
    progress.stop();
    await tick();
    expect(text()).toBe("web: swept 250 of 1000 buckets (25%)\n");

    const quiet = capture(false);
    const short = createSweepProgress("web", 64, quiet.stream);
    short.update(64, 64);
    short.stop();
    await tick();
    expect(quiet.text()).toBe("");
  });
});
