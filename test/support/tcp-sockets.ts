import { readFileSync } from "node:fs";

/**
 * The kernel's view of TCP sockets (Linux /proc/net/tcp and tcp6), for tests that must see what a server does with
 * a connection its peer has left: a socket the server never closes stays in CLOSE_WAIT, whatever the application
 * reports.
 */

/** TCP states as /proc/net/tcp numbers them (include/net/tcp_states.h). */
const STATES: Record<string, string> = {
  "01": "ESTABLISHED",
  "02": "SYN_SENT",
  "03": "SYN_RECV",
  "04": "FIN_WAIT1",
  "05": "FIN_WAIT2",
  "06": "TIME_WAIT",
  "07": "CLOSE",
  "08": "CLOSE_WAIT",
  "09": "LAST_ACK",
  "0A": "LISTEN",
  "0B": "CLOSING",
};

/**
 * The states of the sockets on this machine whose local port is `port`, listening ones left out: on a server's
 * port, the server's side of each of its connections.
 */
export function serverSideStates(port: number): string[] {
  const states: string[] = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const [, local, , state] = line.trim().split(/\s+/);
      if (local === undefined || state === undefined) continue;
      const localPort = Number.parseInt(local.slice(local.lastIndexOf(":") + 1), 16);
      if (localPort === port && state !== "0A") states.push(STATES[state] ?? state);
    }
  }
  return states;
}
