/**
 * Profiling the service under load. Node 20 refuses `--cpu-prof` in NODE_OPTIONS, and the harness spawns the
 * service with a fixed command line, so the profiler is started from a small ES module loaded with `--import`
 * (which NODE_OPTIONS does allow): it starts the V8 sampling profiler through `node:inspector` and writes the
 * profile when the process exits (the service exits through `process.exit` on SIGTERM; the in-process inspector
 * session answers synchronously, so the write happens inside the `exit` handler).
 */
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** The hook's source: `profileDir` is baked in, so the service needs no extra environment variable. */
function hookSource(profileDir: string): string {
  return `import { mkdirSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector";
const session = new Session();
session.connect();
session.post("Profiler.enable");
session.post("Profiler.setSamplingInterval", { interval: 500 });
session.post("Profiler.start");
process.on("exit", () => {
  session.post("Profiler.stop", (error, result) => {
    if (error) return;
    mkdirSync(${JSON.stringify(profileDir)}, { recursive: true });
    writeFileSync(${JSON.stringify(profileDir)} + "/service-" + process.pid + ".cpuprofile", JSON.stringify(result.profile));
  });
});
`;
}

/**
 * The NODE_OPTIONS to add to the service's from the environment: `BENCH_SERVICE_CPU_PROFILE=<dir>` writes a
 * V8 CPU profile of the service's whole run into `<dir>` (open it in Chrome DevTools or VS Code);
 * `BENCH_SERVICE_NODE_OPTIONS` is passed through as it is. `scratchDir` receives the hook module.
 */
export function serviceNodeOptions(scratchDir: string): string | undefined {
  const options: string[] = [];
  const profileDir = process.env.BENCH_SERVICE_CPU_PROFILE;
  if (profileDir) {
    const hook = join(scratchDir, "cpu-profile-hook.mjs");
    writeFileSync(hook, hookSource(resolve(profileDir)));
    options.push(`--import=${hook}`);
  }
  if (process.env.BENCH_SERVICE_NODE_OPTIONS) options.push(process.env.BENCH_SERVICE_NODE_OPTIONS);
  return options.length > 0 ? options.join(" ") : undefined;
}
