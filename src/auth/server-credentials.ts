import { X509Certificate } from "node:crypto";
import { createSecureContext } from "node:tls";
import { ServerCredentials } from "@grpc/grpc-js";
import { ConfigError } from "../config/config-error.js";
import type { ServerTlsConfig } from "../config/server-schema.js";
import { readConfiguredFile } from "./read-configured-file.js";

/**
 * Asks clients for a certificate and checks it against the CA, but lets connections without one (or with one the
 * CA did not sign) through: `server.tls.requireClientCert: false`. grpc-js's `createSsl` cannot express this (its
 * `checkClientCertificate: false` does not ask at all), so the Node TLS options are given directly.
 */
class OptionalClientCertCredentials extends ServerCredentials {
  constructor(ca: Buffer, cert: Buffer, key: Buffer) {
    super({ requestCert: true, rejectUnauthorized: false }, { ca, cert: [cert], key: [key] });
  }

  override _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

/**
 * The listener's credentials from `server.tls`: plaintext without it; TLS with `certFile` and `keyFile`; mutual TLS
 * with `clientCaFile` too (client certificates required unless `requireClientCert` is false). The files are read
 * now, and checked by building a TLS context from them, so that a wrong key fails the start-up with a message
 * naming the setting rather than every handshake later.
 *
 * @throws {ConfigError} at `server.tls` when a file cannot be read, or the certificate, key and CA do not make a
 *   usable TLS context (e.g. the key does not match the certificate).
 */
export function serverCredentials(tls: ServerTlsConfig | undefined): ServerCredentials {
  if (tls === undefined) return ServerCredentials.createInsecure();
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
  const pair = { cert_chain: cert, private_key: key };
  if (ca === undefined) return ServerCredentials.createSsl(null, [pair], false);
  if (tls.requireClientCert ?? true) return ServerCredentials.createSsl(ca, [pair], true);
  return new OptionalClientCertCredentials(ca, cert, key);
}
