import { create } from "@bufbuild/protobuf";
import { Server, type sendUnaryData, status, type UntypedServiceImplementation } from "@grpc/grpc-js";
import { describe, expect, it, onTestFinished } from "vitest";
import {
  Code,
  createAdminClient,
  SessionAdminService,
  SessionServiceError,
  StoreStrategy,
} from "../../src/client/index.js";
import { serviceDefinition } from "../../src/rpc/method-definitions.js";
import { bindLoopback } from "../support/bind-loopback.js";
import { failureOf } from "../support/call-helpers.js";
import { useServer } from "../support/server-fixture.js";

const served = useServer();

describe("createAdminClient", () => {
  it("calls every admin RPC of a real server", async () => {
    const admin = createAdminClient(`127.0.0.1:${served.server.port}`);
    try {
      const { stores } = await admin.listStores({});
      expect(stores.map((store) => [store.name, store.strategy])).toEqual([
        ["default", StoreStrategy.HASH],
        ["strings", StoreStrategy.STRING],
      ]);
      await served.client.createSession({ store: "strings" });
      expect((await admin.getStoreStats({ store: "strings" })).sessions).toBeGreaterThanOrEqual(1n);
      expect((await admin.purgeExpired({ store: "strings" })).applicable).toBe(false);
      const failure = await failureOf(admin.listStores({}, { timeoutMs: -1 }));
      expect(failure.code).toBe(Code.INVALID_ARGUMENT);
    } finally {
      admin.close();
    }
  });

  it("fails with the service's reason", async () => {
    const admin = createAdminClient(`127.0.0.1:${served.server.port}`);
    try {
      const failure = await failureOf(admin.getStoreStats({ store: "nope" }));
      expect(failure).toBeInstanceOf(SessionServiceError);
      expect(failure.code).toBe(Code.INVALID_ARGUMENT);
      expect(failure.reason).toBe("UNKNOWN_STORE");
      expect(failure.errorMetadata).toEqual({ store: "nope" });
    } finally {
      admin.close();
    }
  });

  it("retries every admin RPC on UNAVAILABLE (the proto declares all three idempotent)", async () => {
    const server = await flakyAdminServer(2);
    const admin = createAdminClient(server.target, { retry: { initialBackoffMs: 1, maxBackoffMs: 2 } });
    try {
      await admin.listStores({});
      await admin.getStoreStats({});
      await admin.purgeExpired({});
      // Two refusals and an answer each: three attempts per call.
      expect(server.attempts).toEqual({ listStores: 3, getStoreStats: 3, purgeExpired: 3 });
    } finally {
      admin.close();
    }
  });
});

/** A grpc-js server of SessionAdminService whose every method fails UNAVAILABLE `failures` times, then answers. */
async function flakyAdminServer(failures: number) {
  const attempts: Record<string, number> = {};
  const implementation: UntypedServiceImplementation = {};
  for (const method of SessionAdminService.methods) {
    implementation[method.localName] = (_call: unknown, callback: sendUnaryData<unknown>) => {
      attempts[method.localName] = (attempts[method.localName] ?? 0) + 1;
      if ((attempts[method.localName] ?? 0) <= failures) {
        callback({ code: status.UNAVAILABLE, details: "not yet" });
      } else {
        callback(null, create(method.output));
      }
    };
  }
  const server = new Server();
  server.addService(serviceDefinition(SessionAdminService), implementation);
  const port = await bindLoopback(server);
  onTestFinished(() => server.forceShutdown());
  return { target: `127.0.0.1:${port}`, attempts };
}
