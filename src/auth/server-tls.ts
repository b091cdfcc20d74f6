import { X509Certificate } from "node:crypto";
import { createSecureContext, type TlsOptions } from "node:tls";
import { ConfigError } from "../config/config-error.js";
import type { ServerTlsConfig } from "../config/server-schema.js";
import { readConfiguredFile } from "./read-configured-file.js";

/**
 * The Node TLS options of the gRPC listener from `server.tls`, or undefined for plaintext: TLS with `certFile` and
 * `keyFile`; mutual TLS with `clientCaFile` too (a client certificate the CA signed is required, unless
 * `requireClientCert` is false: then one is asked for, and a connection without one, or with one the CA did not
 * sign, is let through, Node's `rejectUnauthorized: false`). Only HTTP/2 is offered (ALPN `h2`), as gRPC needs.
 * The files are read now, and checked by building a TLS context from them, so that a wrong key fails the start-up
 * with a message naming the setting rather than every handshake later.
 *
 * @throws {ConfigError} at `server.tls` when a file cannot be read, or the certificate, key and CA do not make a
 *   usable TLS context (e.g. the key does not match the certificate).
 */
export function serverTlsOptions(tls: ServerTlsConfig | undefined): TlsOptions | undefined {
  if (tls === undefined) return undefined;
  const cert = readConfiguredFile(tls.certFile, ["server", "tls", "certFile"]);
  const key = readConfiguredFile(tls.keyFile, ["server", "tls", "keyFile"]);
  const ca =
    tls.clientCaFile === undefined
      ? undefined
      : readConfiguredFile(tls.clientCaFile, ["server", "tls", "clientCaFile"]);
  try {
    createSecureContext({ cert, key, ca });
    // A CA file without a certificate (a key, say) makes a context that silently trusts nothing.
    if (ca !== undefined) new X509Certificate(ca);
  } catch (error) {
    // OpenSSL's message names the problem ("key values mismatch", "no start line"), never the key's bytes.
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError([{ path: "server.tls", message: `unusable certificate, key or CA: ${reason}` }], {
      cause: error,
    });
  }
  const clientCerts =
    ca === undefined
      ? { requestCert: false }
      : { ca, requestCert: true, rejectUnauthorized: tls.requireClientCert ?? true };
  return { cert, key, ALPNProtocols: ["h2"], ...clientCerts };
}
