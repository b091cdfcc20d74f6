import {
  Code,
  DataFormat,
  duration,
  SaveCondition,
  sessionData,
  toDate,
  toSeconds,
} from "@redisession/client";
import { RedisessionStore } from "@redisession/express-session";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { failureOf } from "../support/call-helpers.js";
import { useRedis } from "../support/redis-fixture.js";
import { useServer } from "../support/server-fixture.js";
import { CookieBrowser } from "./cookie-browser.js";
import { COOKIE_MAX_AGE_MS, REMEMBER_ME_MS, type SessionAppOptions, startSessionApp } from "./session-app.js";

// A string store that records creation times; sessions are read back behind the app's back through the client.
const STORE = "strings";
const served = useServer();
const redis = useRedis();

type App = Awaited<ReturnType<typeof startSessionApp>>;
const apps: App[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

/** A real express app over a RedisessionStore on the test server, and a browser for it. */
async function appWith(options: SessionAppOptions & { compareAndSet?: boolean; ttl?: string } = {}) {
  const store = new RedisessionStore({
    client: served.client,
    storeName: STORE,
    compareAndSet: options.compareAndSet,
    ttl: options.ttl,
  });
  const app = await startSessionApp(store, options);
  apps.push(app);
  return { app, browser: () => new CookieBrowser(app.origin) };
}

/** The session as the service holds it. */
/**
 * Checks the idle TTL the store gave a session: its cookie's maxAge in whole seconds, rounded up. express-session
 * derives the cookie's `originalMaxAge` from its expiry and the clock (`expires - Date.now()`, in its Cookie
 * constructor), so it falls short of the configured hour by the milliseconds that passed meanwhile: never more than
 * the time since `started`, however slow the machine.
 */
function expectCookieIdleTtl(session: Awaited<ReturnType<typeof stored>>, started: number): void {
  const cookie = sessionData(session)?.cookie as { originalMaxAge?: number } | undefined;
  const maxAge = cookie?.originalMaxAge ?? 0;
  expect(maxAge).toBeLessThanOrEqual(COOKIE_MAX_AGE_MS);
  expect(maxAge).toBeGreaterThanOrEqual(COOKIE_MAX_AGE_MS - (Date.now() - started));
  expect(toSeconds(session?.idleTtl)).toBe(Math.ceil(maxAge / 1000));
}

async function stored(key: string | undefined) {
  const { session } = await served.client.getSession({ store: STORE, key: key ?? "" });
  return session;
}

describe("RedisessionStore behind a real express app", () => {
  let app: Awaited<ReturnType<typeof appWith>>;
  beforeAll(async () => {
    app = await appWith();
  });

  it("logs in, keeps a counter across requests, and stores the session under a key the service accepts", async () => {
    const browser = app.browser();
    const started = Date.now();
    expect(await browser.request("POST", "/login/ada")).toMatchObject({ status: 200, body: { user: "ada" } });
    expect(browser.sessionKey).toMatch(/^[0-9a-f]{32}$/);
    for (const count of [1, 2, 3]) {
      expect((await browser.request("POST", "/count")).body).toEqual({ count });
    }
    expect((await browser.request("GET", "/me")).body).toEqual({ user: "ada", count: 3 });

    const session = await stored(browser.sessionKey);
    expect(sessionData(session)).toMatchObject({ user: "ada", count: 3 });
    // Created by the login's save, then three saves of the counter.
    expect(session?.version).toBe(4);
    expectCookieIdleTtl(session, started);
  });

  it("writes nothing for a request that changes nothing, and keeps the data as exact JSON", async () => {
    const browser = app.browser();
    await browser.request("POST", "/login/grace");
    const before = await stored(browser.sessionKey);
    await browser.request("GET", "/me");
    const after = await served.client.getSession({
      store: STORE,
      key: browser.sessionKey ?? "",
      dataFormat: DataFormat.JSON,
    });
    expect(after.session?.version).toBe(before?.version);
    expect(after.session?.content.case).toBe("dataJson");
  });

  it("regenerates through RotateSessionKey: a new key, the old one dead, the new session empty", async () => {
    const browser = app.browser();
    await browser.request("POST", "/count");
    await browser.request("POST", "/count");
    const oldKey = browser.sessionKey;
    const old = await stored(oldKey);
    expect(old?.version).toBe(2);

    expect((await browser.request("POST", "/login/alan")).status).toBe(200);
    expect(browser.sessionKey).not.toBe(oldKey);
    expect((await failureOf(stored(oldKey))).code).toBe(Code.NOT_FOUND);
    const renewed = await stored(browser.sessionKey);
    // Rotation keeps the version and the creation time, and the login's save counts one up; a delete and a
    // fresh create would have started again at version 1 with a new creation time.
    expect(renewed?.version).toBe(3);
    expect(toDate(renewed?.createTime)).toEqual(toDate(old?.createTime));
    expect(sessionData(renewed)).not.toHaveProperty("count");
    expect((await browser.request("GET", "/me")).body).toEqual({ user: "alan", count: 0 });

    // Whoever kept the old cookie has no session.
    const stale = app.browser();
    stale.cookie = `connect.sid=${encodeURIComponent(`s:${oldKey}`)}`;
    expect((await stale.request("GET", "/me")).body).toEqual({ user: null, count: 0 });
  });

  it("logs out: the session is deleted and the cookie no longer finds it", async () => {
    const browser = app.browser();
    await browser.request("POST", "/login/barbara");
    const key = browser.sessionKey;
    const cookie = browser.cookie;
    expect((await browser.request("POST", "/logout")).status).toBe(200);
    expect((await failureOf(stored(key))).code).toBe(Code.NOT_FOUND);
    const again = app.browser();
    again.cookie = cookie;
    expect(await again.request("GET", "/me")).toMatchObject({ status: 200, body: { user: null } });
  });

  it("treats an expired session as none (a new one starts), not as an error", async () => {
    const browser = app.browser();
    await browser.request("POST", "/login/edsger");
    const key = browser.sessionKey ?? "";
    // Expire it in Redis behind everyone's back: an expiry time in the past expires the key at once, so there is
    // nothing to wait for.
    const redisKey = Buffer.concat([Buffer.from(`${STORE}:`), Buffer.from(key, "hex")]);
    expect(await redis.raw("PEXPIREAT", redisKey, 1)).toBe(1);
    expect(await redis.raw("EXISTS", redisKey)).toBe(0);

    expect(await browser.request("GET", "/me")).toMatchObject({
      status: 200,
      body: { user: null, count: 0 },
    });
    expect((await browser.request("POST", "/count")).body).toEqual({ count: 1 });
    expect(browser.sessionKey).not.toBe(key);
  });

  it("answers a cookie whose id is no session key with a new session", async () => {
    const browser = app.browser();
    browser.cookie = `connect.sid=${encodeURIComponent("s:not-a-key")}`;
    expect(await browser.request("GET", "/me")).toMatchObject({ status: 200, body: { user: null } });
  });
});

describe("touch", () => {
  it("with rolling, slides the expiry and resets the idle TTL without writing the data", async () => {
    const { browser: open } = await appWith({ rolling: true });
    const browser = open();
    const started = Date.now();
    await browser.request("POST", "/login/donald");
    const key = browser.sessionKey ?? "";
    // Shorten it behind the app's back (to 10 minutes: still alive at the next request however slow the machine,
    // yet shorter than the cookie's hour): a touch from the app must restore the cookie's maxAge.
    const shortened = await served.client.touchSession({ store: STORE, key, idleTtl: duration("10m") });
    const before = await stored(key);

    const response = await browser.request("GET", "/me");
    expect(response).toMatchObject({ status: 200, setCookie: true, body: { user: "donald" } });
    const after = await stored(key);
    expect(after?.version).toBe(before?.version);
    expectCookieIdleTtl(after, started);
    expect(toDate(after?.expireTime)?.getTime()).toBeGreaterThan(
      toDate(shortened.session?.expireTime)?.getTime() ?? 0,
    );
  });

  it("with resave: true, touches an unchanged session instead of saving it again", async () => {
    const { browser: open } = await appWith({ resave: true });
    const browser = open();
    const started = Date.now();
    await browser.request("POST", "/login/ken");
    const key = browser.sessionKey ?? "";
    // Shortened to 10 minutes (alive at the next request however slow the machine, shorter than the cookie's hour).
    await served.client.touchSession({ store: STORE, key, idleTtl: duration("10m") });
    const before = await stored(key);
    await browser.request("GET", "/me");
    const after = await stored(key);
    expect(after?.version).toBe(before?.version);
    expectCookieIdleTtl(after, started);
  });

  it("with resave: true, touches an unchanged session even when the clock moves while express-session reads it", async () => {
    const { browser: open } = await appWith({ resave: true });
    const browser = open();
    await browser.request("POST", "/login/grace");
    const before = await stored(browser.sessionKey);
    // A slow machine, made certain: each reading of the clock is a millisecond after the one before, so
    // express-session's cookie recomputes its originalMaxAge short of what was stored (see fingerprintOf).
    let now = Date.now();
    const clock = vi.spyOn(Date, "now").mockImplementation(() => ++now);
    try {
      expect(await browser.request("GET", "/me")).toMatchObject({ status: 200, body: { user: "grace" } });
    } finally {
      clock.mockRestore();
    }
    const after = await stored(browser.sessionKey);
    expect(after?.version).toBe(before?.version);
    expect(toSeconds(after?.idleTtl)).toBe(toSeconds(before?.idleTtl));
  });

  it("with resave: true, saves a session whose cookie maxAge the application changed", async () => {
    const { browser: open } = await appWith({ resave: true });
    const browser = open();
    await browser.request("POST", "/login/barbara");
    const before = await stored(browser.sessionKey);
    expect(await browser.request("POST", "/remember-me")).toMatchObject({ status: 200 });
    const after = await stored(browser.sessionKey);
    expect(after?.version).toBe((before?.version ?? 0) + 1);
    expect(toSeconds(after?.idleTtl)).toBe(REMEMBER_ME_MS / 1000);
  });
});

describe("concurrent requests", () => {
  /** Holds every request at the save until `count` of them have read the session. */
  function gate(count: number) {
    let arrived = 0;
    let release = () => {};
    const all = new Promise<void>((resolve) => {
      release = resolve;
    });
    return async () => {
      arrived += 1;
      if (arrived === count) release();
      await all;
    };
  }

  it("with compare-and-set (the default), the second writer gets 409 instead of overwriting the first", async () => {
    const { browser: open } = await appWith({ beforeSave: gate(2) });
    const first = open();
    await first.request("POST", "/login/tony");
    const second = open();
    second.cookie = first.cookie;

    const responses = await Promise.all([first.request("POST", "/count"), second.request("POST", "/count")]);
    const statuses = responses.map((response) => response.status).sort();
    expect(statuses).toEqual([200, 409]);
    expect(responses.find((response) => response.status === 409)?.body).toEqual({
      code: Code.ABORTED,
      reason: "VERSION_MISMATCH",
    });
    // Exactly the successful increment is stored; nothing was silently lost.
    expect(sessionData(await stored(first.sessionKey))).toMatchObject({ user: "tony", count: 1 });
    expect((await stored(first.sessionKey))?.version).toBe(2);
  });

  it("without compare-and-set, both writers succeed and the last one wins (the lost update it prevents)", async () => {
    const { browser: open } = await appWith({ beforeSave: gate(2), compareAndSet: false });
    const first = open();
    await first.request("POST", "/login/tony");
    const second = open();
    second.cookie = first.cookie;

    const responses = await Promise.all([first.request("POST", "/count"), second.request("POST", "/count")]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    const session = await stored(first.sessionKey);
    expect(sessionData(session)).toMatchObject({ count: 1 });
    expect(session?.version).toBe(3);
  });

  it("never brings back a session deleted while a request was using it", async () => {
    let deleteNow = async () => {};
    const { browser: open } = await appWith({ beforeSave: () => deleteNow(), compareAndSet: false });
    const browser = open();
    await browser.request("POST", "/login/frances");
    const key = browser.sessionKey ?? "";
    deleteNow = async () => {
      await served.client.deleteSession({ store: STORE, key });
    };
    expect(await browser.request("POST", "/count")).toMatchObject({
      status: 409,
      body: { code: Code.NOT_FOUND, reason: "SESSION_NOT_FOUND" },
    });
    expect((await failureOf(stored(key))).code).toBe(Code.NOT_FOUND);
  });
});

describe("options", () => {
  it("a browser-session cookie (no maxAge) gets the store's ttl option as its idle TTL", async () => {
    const { browser: open } = await appWith({ cookieMaxAgeMs: null, ttl: "20m" });
    const browser = open();
    await browser.request("POST", "/login/radia");
    expect(toSeconds((await stored(browser.sessionKey))?.idleTtl)).toBe(1200);
  });

  it("with another genid, regenerate still retires the old key and leaves no rotated session behind", async () => {
    const id = (n: number) => n.toString(16).padStart(32, "0");
    let made = 0;
    const genid = () => id(++made);
    const { browser: open } = await appWith({ genid });
    const browser = open();
    await browser.request("POST", "/count");
    const oldKey = browser.sessionKey;
    await browser.request("POST", "/login/niklaus");
    expect([oldKey, browser.sessionKey]).toEqual([id(1), id(2)]);
    expect((await failureOf(stored(oldKey))).code).toBe(Code.NOT_FOUND);
    // A fresh session (version 1), and nothing else in Redis: the key the rotation made was deleted.
    expect((await stored(browser.sessionKey))?.version).toBe(1);
    expect(await redis.raw("DBSIZE")).toBe(1);
  });
});

describe("genid", () => {
  it("makes 32 lowercase hex characters the service takes with MUST_CREATE", async () => {
    const store = new RedisessionStore({ client: served.client, storeName: STORE });
    const key = store.genid();
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(store.genid()).not.toBe(key);
    const { session } = await served.client.saveSession({
      store: STORE,
      key,
      content: { case: "data", value: { cookie: {} } },
      condition: SaveCondition.MUST_CREATE,
    });
    expect(session?.version).toBe(1);
  });
});
