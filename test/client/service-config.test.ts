import { credentials } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { resolveClientSettings } from "../../src/client/client-options.js";
import { createClient, IDEMPOTENT_SESSION_METHODS } from "../../src/client/index.js";
import { buildServiceConfig, durationString, resolveRetryOptions } from "../../src/client/service-config.js";

const SERVICE = "redisession.v1.SessionService";

function sessionSettings(options: Parameters<typeof resolveClientSettings<typeof SessionService>>[1] = {}) {
  return resolveClientSettings(SessionService, { retryableMethods: IDEMPOTENT_SESSION_METHODS, ...options });
}

describe("the service config", () => {
  it("retries exactly the idempotent methods, by their proto names, with the default policy", () => {
    const settings = sessionSettings();

    expect(JSON.parse(String(settings.channelOptions["grpc.service_config"]))).toEqual({
      methodConfig: [
        { name: [{ service: SERVICE }], waitForReady: false },
        {
          name: [
            { service: SERVICE, method: "GetSession" },
            { service: SERVICE, method: "BatchGetSessions" },
            { service: SERVICE, method: "TouchSession" },
            { service: SERVICE, method: "DeleteSession" },
          ],
          waitForReady: false,
          retryPolicy: {
            maxAttempts: 4,
            initialBackoff: "0.1s",
            maxBackoff: "2s",
            backoffMultiplier: 2,
            retryableStatusCodes: ["UNAVAILABLE"],
          },
        },
      ],
    });
    expect(settings.channelOptions["grpc.enable_retries"]).toBe(1);
    expect(settings.channelOptions["grpc.service_config_disable_resolution"]).toBe(1);
    expect(settings.defaultTimeoutMs).toBe(5000);
  });

  it("has no retry policy with retry: false or maxAttempts 1", () => {
    for (const retry of [false, { maxAttempts: 1 }] as const) {
      const config = JSON.parse(String(sessionSettings({ retry }).channelOptions["grpc.service_config"]));
      expect(config).toEqual({ methodConfig: [{ name: [{ service: SERVICE }], waitForReady: false }] });
    }
  });

  it("writes durations as the seconds strings grpc-js accepts", () => {
    expect(durationString(100)).toBe("0.1s");
    expect(durationString(2000)).toBe("2s");
    expect(durationString(1500)).toBe("1.5s");
    expect(durationString(10_000)).toBe("10s");
    expect(durationString(0.001)).toBe("0.000001s");
    for (const ms of [1, 7, 33.3, 123_456]) {
      expect(durationString(ms)).toMatch(/^\d+(\.\d{1,9})?s$/);
    }
  });

  it("lets explicit channel options win", () => {
    const own = JSON.stringify({ methodConfig: [] });
    const settings = sessionSettings({
      channelOptions: { "grpc.service_config": own, "grpc.enable_retries": 0 },
    });

    expect(settings.channelOptions["grpc.service_config"]).toBe(own);
    expect(settings.channelOptions["grpc.enable_retries"]).toBe(0);
  });

  it("retries by default exactly what the proto declares idempotent", () => {
    const declared = IDEMPOTENT_SESSION_METHODS.map((name) => SessionService.method[name]);
    const config = buildServiceConfig(SessionService, declared, resolveRetryOptions(undefined));
    const settings = resolveClientSettings(SessionService, {});

    expect(JSON.parse(String(settings.channelOptions["grpc.service_config"]))).toEqual(config);
    expect(config.methodConfig).toHaveLength(2);
  });
});

describe("credentials", () => {
  it("are insecure by default, TLS with tls, and the given ones with credentials", () => {
    const own = credentials.createSsl();

    expect(sessionSettings().credentials._isSecure()).toBe(false);
    expect(sessionSettings({ tls: {} }).credentials._isSecure()).toBe(true);
    expect(sessionSettings({ credentials: own }).credentials).toBe(own);
  });
});

describe("invalid options are refused when the client is made", () => {
  it.each([
    ["maxAttempts 0", { retry: { maxAttempts: 0 } }],
    ["maxAttempts 6, over gRFC A6's limit of 5", { retry: { maxAttempts: 6 } }],
    ["fractional maxAttempts", { retry: { maxAttempts: 2.5 } }],
    ["a zero initial backoff", { retry: { initialBackoffMs: 0 } }],
    ["a negative max backoff", { retry: { maxBackoffMs: -1 } }],
    ["a NaN multiplier", { retry: { backoffMultiplier: Number.NaN } }],
    ["a negative default timeout", { defaultTimeoutMs: -5 }],
    ["an infinite default timeout", { defaultTimeoutMs: Number.POSITIVE_INFINITY }],
  ])("%s", (_label, options) => {
    expect(() => sessionSettings(options)).toThrow(RangeError);
  });

  it("both credentials and tls", () => {
    expect(() => sessionSettings({ credentials: credentials.createInsecure(), tls: {} })).toThrow(TypeError);
  });

  it("an unknown retryable method", () => {
    expect(() =>
      createClient(SessionService, "127.0.0.1:1", { retryableMethods: ["listSessions" as "getSession"] }),
    ).toThrow(/no unary method "listSessions"/);
    expect(() =>
      createClient(SessionService, "127.0.0.1:1", { retryableMethods: ["toString" as "getSession"] }),
    ).toThrow(TypeError);
  });
});

describe("createSessionClient's retries", () => {
  it("cover exactly the RPCs the proto declares idempotent", () => {
    expect([...IDEMPOTENT_SESSION_METHODS].sort()).toEqual(
      ["batchGetSessions", "deleteSession", "getSession", "touchSession"].sort(),
    );
  });
});
