import { readFileSync } from "node:fs";

/**
 * The resident set size of process `pid` in bytes, from /proc (Linux): what the kernel actually holds for the
 * process, heap and native memory (zstd contexts, sockets) alike.
 */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  if (match === null) throw new Error(`no VmRSS for process ${pid}`);
  return Number(match[1]) * 1024;
}

/** Bytes as MiB with one decimal. */
export function mib(bytes: number): string {
  return (bytes / 2 ** 20).toFixed(1);
}
