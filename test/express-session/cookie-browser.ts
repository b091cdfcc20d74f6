/**
 * A minimal browser for tests: real HTTP requests (fetch) to a local app, keeping the one session cookie the app
 * sets, as a browser's cookie jar does (replaced by each Set-Cookie, dropped when it expires).
 */
export class CookieBrowser {
  #cookie: string | undefined;

  constructor(
    private readonly origin: string,
    private readonly cookieName = "connect.sid",
  ) {}

  /** The cookie header value, to hand to another browser (a second tab, an attacker holding an old cookie). */
  get cookie(): string | undefined {
    return this.#cookie;
  }

  set cookie(value: string | undefined) {
    this.#cookie = value;
  }

  /** The session id the signed cookie holds (`s:<id>.<signature>`), i.e. the redisession key. */
  get sessionKey(): string | undefined {
    const value = this.#cookie?.slice(this.cookieName.length + 1);
    return value === undefined ? undefined : decodeURIComponent(value).slice(2).split(".")[0];
  }

  /** Makes a request; resolves with the status, the JSON body and whether the response set the cookie. */
  async request(
    method: "GET" | "POST",
    path: string,
  ): Promise<{ status: number; body: Record<string, unknown>; setCookie: boolean }> {
    const response = await fetch(`${this.origin}${path}`, {
      method,
      headers: this.#cookie === undefined ? {} : { cookie: this.#cookie },
    });
    const setCookie = response.headers.getSetCookie().find((line) => line.startsWith(`${this.cookieName}=`));
    if (setCookie !== undefined) {
      const [pair = "", ...attributes] = setCookie.split(";").map((part) => part.trim());
      const expires = attributes.find((part) => part.toLowerCase().startsWith("expires="));
      const expired = expires !== undefined && Date.parse(expires.slice(8)) <= Date.now();
      this.#cookie = expired ? undefined : pair;
    }
    return {
      status: response.status,
      body: (await response.json()) as Record<string, unknown>,
      setCookie: setCookie !== undefined,
    };
  }
}
