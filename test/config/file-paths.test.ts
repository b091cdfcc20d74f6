import { describe, expect, it } from "vitest";
import { resolveFilePaths } from "../../src/config/file-paths.js";

describe("file paths in the configuration", () => {
  it("are resolved against the configuration file's directory, wherever they are", () => {
    const raw = {
      server: { tls: { certFile: "tls/server.pem", keyFile: "/abs/key.pem" }, auth: { tokenFile: "tokens" } },
      redis: { default: { url: "rediss://h", tls: { caFile: "ca.pem" } }, other: { url: "redis://h" } },
      stores: { web: { zstdDictionaries: ["d/a.dict", "/abs/b.dict"] }, plain: { codec: "none" } },
    };
    expect(resolveFilePaths(raw, "/etc/redisession")).toEqual({
      server: {
        tls: { certFile: "/etc/redisession/tls/server.pem", keyFile: "/abs/key.pem" },
        auth: { tokenFile: "/etc/redisession/tokens" },
      },
      redis: {
        default: { url: "rediss://h", tls: { caFile: "/etc/redisession/ca.pem" } },
        other: { url: "redis://h" },
      },
      stores: {
        web: { zstdDictionaries: ["/etc/redisession/d/a.dict", "/abs/b.dict"] },
        plain: { codec: "none" },
      },
    });
    // The input is copied where changed, never modified.
    expect(raw.server.tls.certFile).toBe("tls/server.pem");
  });

  it("leaves what is not shaped as expected for validation to report", () => {
    const odd = { server: { tls: "yes" }, redis: [1], stores: { web: { zstdDictionaries: "a.dict" } } };
    expect(resolveFilePaths(odd, "/etc")).toEqual(odd);
    expect(resolveFilePaths(undefined, "/etc")).toBeUndefined();
    expect(resolveFilePaths({ server: { auth: { tokenFile: "" } } }, "/etc")).toEqual({
      server: { auth: { tokenFile: "" } },
    });
  });
});
