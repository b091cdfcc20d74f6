import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

/** What the endpoint serves: the metrics text and its content type (a prom-client `Registry` is one). */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

/** A listening metrics endpoint. */
export interface MetricsServer {
  /** The address it listens on, as asked for. */
  readonly host: string;
  /** The port it listens on (the real one when 0 was asked for). */
  readonly port: number;
  /** Stops listening and closes every connection (a scraper's keep-alive one too). Idempotent. */
  close(): Promise<void>;
}

/** The one path served. */
export const METRICS_PATH = "/metrics";

function reply(response: ServerResponse, code: number, body: string, headers: Record<string, string> = {}) {
  response.writeHead(code, { "Content-Type": "text/plain; charset=utf-8", ...headers });
  response.end(body);
}

function handle(source: MetricsSource, request: IncomingMessage, response: ServerResponse): void {
  const path = (request.url ?? "/").split("?", 1)[0];
  if (path !== METRICS_PATH) {
    reply(response, 404, "not found\n");
    return;
  }
  if (request.method !== "GET" && request.method !== "HEAD") {
    reply(response, 405, "method not allowed\n", { Allow: "GET, HEAD" });
    return;
  }
  source.metrics().then(
    (text) => {
      response.writeHead(200, { "Content-Type": source.contentType, "Cache-Control": "no-store" });
      response.end(request.method === "HEAD" ? undefined : text);
    },
    () => reply(response, 500, "metrics could not be collected\n"),
  );
}

/**
 * Serves `GET /metrics` (Prometheus' text format) over plain HTTP on `host:port` (0: a free port); any other path
 * is 404, any other method 405. Resolves once it listens; rejects when it cannot (the port is taken).
 */
export async function startMetricsServer(
  source: MetricsSource,
  options: { readonly host: string; readonly port: number },
): Promise<MetricsServer> {
  const server = createServer((request, response) => handle(source, request, response));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: options.host, port: options.port }, () => {
      server.off("error", reject);
      resolve();
    });
  });
  let closing: Promise<void> | undefined;
  return {
    host: options.host,
    port: (server.address() as AddressInfo).port,
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
