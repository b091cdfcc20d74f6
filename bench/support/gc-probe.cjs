// Preloaded into a service process by a benchmark (NODE_OPTIONS="--expose-gc --require .../gc-probe.cjs"): on
// SIGUSR2, runs two full garbage collections and writes the process's memory, before and after, as JSON to
// $GC_PROBE_FILE. It tells memory the process still holds from memory V8 or the allocator has not given back.
const { writeFileSync } = require("node:fs");

process.on("SIGUSR2", () => {
  const before = process.memoryUsage();
  global.gc();
  global.gc();
  writeFileSync(process.env.GC_PROBE_FILE, JSON.stringify({ before, after: process.memoryUsage() }));
});
