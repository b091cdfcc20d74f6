import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A certificate and its key, as files (for configs and redis-server) and as PEM buffers (for clients). */
export interface KeyPair {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/** Throwaway certificates for one test file, in a temporary directory. */
export interface TestCertificates {
  readonly dir: string;
  /** The test CA: it signs `server` and `client`. */
  readonly ca: KeyPair;
  /** Another CA, trusted by nobody: it signs `strangerClient`. */
  readonly otherCa: KeyPair;
  /** For `127.0.0.1` and `localhost` (subjectAltName), serverAuth. */
  readonly server: KeyPair;
  /** A client certificate (clientAuth) signed by `ca`. */
  readonly client: KeyPair;
  /** A client certificate signed by `otherCa`. */
  readonly strangerClient: KeyPair;
  /** Deletes the directory. */
  remove(): void;
}

/** Runs `openssl` in `dir` with space-separated arguments (file names are relative to `dir`, none has spaces). */
function openssl(dir: string, args: string): void {
  execFileSync("openssl", args.split(" "), { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

/**
 * Makes a CA and the certificates tests need with the `openssl` command, valid for a day. P-256 keys: fast to make,
 * and both Node and Redis take them.
 */
export function makeCertificates(): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), "redisession-certs-"));
  const run = (args: string) => openssl(dir, args);
  const load = (name: string): KeyPair => {
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
  };
  const newKey = (name: string) =>
    run(`genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ${name}.key`);
  const newCa = (name: string) => {
    newKey(name);
    run(
      `req -x509 -new -key ${name}.key -subj /CN=redisession-test-${name} -days 1 -out ${name}.crt ` +
        "-addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign",
    );
  };
  let serial = Date.now();
  const newLeaf = (name: string, ca: string, extensions: string) => {
    newKey(name);
    run(`req -new -key ${name}.key -subj /CN=${name} -out ${name}.csr`);
    writeFileSync(join(dir, `${name}.ext`), extensions);
    // Distinct serials: a TLS stack may reject two certificates of one issuer with the same serial.
    serial += 1;
    run(
      `x509 -req -in ${name}.csr -CA ${ca}.crt -CAkey ${ca}.key -set_serial ${serial} -days 1 ` +
        `-extfile ${name}.ext -out ${name}.crt`,
    );
  };
  newCa("ca");
  newCa("other-ca");
  newLeaf("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  newLeaf("client", "ca", "extendedKeyUsage=clientAuth\n");
  newLeaf("stranger", "other-ca", "extendedKeyUsage=clientAuth\n");
  return {
    dir,
    ca: load("ca"),
    otherCa: load("other-ca"),
    server: load("server"),
    client: load("client"),
    strangerClient: load("stranger"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}
