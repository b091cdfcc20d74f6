import { isIPv4, isIPv6 } from "node:net";

/** Whether `host` only accepts connections from this machine. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, "$1").toLowerCase();
  if (bare === "localhost") return true;
  if (isIPv4(bare)) return bare.startsWith("127.");
  if (isIPv6(bare)) return bare === "::1" || /^::ffff:127\./.test(bare);
  return false;
}

/**
 * The start-up warning for a listener other machines can reach that lacks TLS or tokens (or both), or undefined
 * when there is nothing to warn about. A loopback listener needs neither: only local processes reach it.
 */
export function exposureWarning(host: string, secured: { tls: boolean; auth: boolean }): string | undefined {
  if (isLoopbackHost(host) || (secured.tls && secured.auth)) return undefined;
  if (!secured.tls && !secured.auth) {
    return `listening on ${host} without TLS or auth: anyone who can reach the port can read and write every session (configure server.tls and server.auth)`;
  }
  if (!secured.tls) {
    return `listening on ${host} without TLS: bearer tokens and sessions cross the network in clear (configure server.tls)`;
  }
  return `listening on ${host} without auth: any client the TLS settings admit can read and write every session (configure server.auth)`;
}
