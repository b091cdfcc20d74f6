import { once } from "node:events";
import type { AddressInfo } from "node:net";
import type { RedisessionStore } from "@redisession/express-session";
import express, { type NextFunction, type Request, type Response } from "express";
import session from "express-session";

declare module "express-session" {
  interface SessionData {
    user?: string;
    count?: number;
  }
}

/** How the test app configures express-session. */
export interface SessionAppOptions {
  readonly rolling?: boolean;
  readonly resave?: boolean;
  /** Awaited by POST /count between reading the session and saving it (to line concurrent requests up). */
  readonly beforeSave?: () => Promise<void>;
  /** express-session's `genid`. Default: the store's. */
  readonly genid?: () => string;
  /** The cookie's maxAge; `null` for a browser-session cookie. Default: {@link COOKIE_MAX_AGE_MS}. */
  readonly cookieMaxAgeMs?: number | null;
}

/** A "remember me" cookie's maxAge: two hours (within the test stores' maxTtl). */
export const REMEMBER_ME_MS = 2 * 3600 * 1000;

/** The cookie's maxAge: one hour, so sessions get an idle TTL of 3600 s. */
export const COOKIE_MAX_AGE_MS = 3_600_000;

/**
 * A real express app with express-session over `store`, listening on a free loopback port: log in (regenerating
 * the session), count, read, log out. Errors answer their `status` with the store error's gRPC code and reason.
 */
export async function startSessionApp(store: RedisessionStore, options: SessionAppOptions = {}) {
  const app = express();
  app.use(
    session({
      store,
      genid: options.genid ?? store.genid,
      secret: "a test secret",
      resave: options.resave ?? false,
      saveUninitialized: false,
      rolling: options.rolling ?? false,
      cookie: options.cookieMaxAgeMs === null ? {} : { maxAge: options.cookieMaxAgeMs ?? COOKIE_MAX_AGE_MS },
    }),
  );
  const saved = (req: Request, res: Response, next: NextFunction, body: object) =>
    req.session.save((err) => (err ? next(err) : res.json(body)));

  app.get("/me", (req, res) => {
    res.json({ user: req.session.user ?? null, count: req.session.count ?? 0 });
  });
  app.post("/count", async (req, res, next) => {
    const count = (req.session.count ?? 0) + 1;
    await options.beforeSave?.();
    req.session.count = count;
    saved(req, res, next, { count });
  });
  app.post("/login/:user", (req, res, next) => {
    const user = req.params.user;
    req.session.regenerate((err) => {
      if (err) return next(err);
      req.session.user = user;
      saved(req, res, next, { user });
    });
  });
  app.post("/remember-me", (req, res) => {
    // Changes the cookie only, as a "remember me" does; express-session saves it (resave) or touches it.
    req.session.cookie.maxAge = REMEMBER_ME_MS;
    res.json({ remembered: true });
  });
  app.post("/logout", (req, res, next) => {
    req.session.destroy((err) => (err ? next(err) : res.json({ user: null })));
  });
  app.use(
    (
      err: { status?: number; code?: number; reason?: string },
      _req: Request,
      res: Response,
      _next: NextFunction,
    ) => {
      res.status(err.status ?? 500).json({ code: err.code ?? null, reason: err.reason ?? null });
    },
  );

  const server = app.listen(0, "127.0.0.1");
  await once(server, "listening");
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    async close(): Promise<void> {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
