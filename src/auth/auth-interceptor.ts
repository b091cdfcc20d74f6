import {
  type Metadata,
  ServerInterceptingCall,
  type ServerInterceptingCallInterface,
  type ServerInterceptor,
} from "@grpc/grpc-js";
import { UndecodableRequest } from "../rpc/undecodable-request.js";
import type { CallFailure } from "../server/call-errors.js";
import { PermissionDeniedError, UnauthenticatedError } from "./auth-errors.js";
import { bearerToken } from "./bearer-token.js";
import { type AccessRule, UNLISTED_RULE } from "./method-access.js";
import { allows, type Need, type TokenGrant } from "./scopes.js";
import { findGrant } from "./token-hash.js";

/** What {@link authInterceptor} needs. */
export interface AuthInterceptorOptions {
  /** The listed tokens (see `token-table.ts`). */
  readonly grants: readonly TokenGrant[];
  /** The rule of every served path (see `method-access.ts`). */
  readonly rules: ReadonlyMap<string, AccessRule>;
  /**
   * Turns a refusal into the status the caller gets, and logs it: the server passes the one error-to-status map
   * (`grpc-status.ts`), so the codes are decided there like every other failure's. `path` is the method's HTTP/2
   * path.
   */
  readonly toStatus: (error: unknown, path: string) => CallFailure;
}

/**
 * Checks every call's bearer token before its handler runs. The token is checked when the metadata arrives
 * (missing or unknown: UNAUTHENTICATED); the scope either then, or, for methods whose request names a store, when
 * the request message arrives, since grpc-js decodes it before the handler sees it and the store is only known
 * from it (not granted: PERMISSION_DENIED). A refused call is answered here with its status and never reaches the
 * handler: withholding the metadata (or the message) is what keeps the handler from starting, so the interceptor
 * must answer the call itself. Open methods (health) pass through untouched.
 */
export function authInterceptor(options: AuthInterceptorOptions): ServerInterceptor {
  const { grants, rules, toStatus } = options;
  return (method, call) => {
    const rule = rules.get(method.path) ?? UNLISTED_RULE;
    if (rule.kind === "open") return new ServerInterceptingCall(call);
    const guard = new CallGuard(call, method.path, grants, toStatus);
    return new ServerInterceptingCall(call, {
      start: (next) =>
        next({
          onReceiveMetadata: (metadata, pass) => {
            if (!guard.authenticate(metadata)) return;
            if (rule.kind === "method" && !guard.authorize(rule.need)) return;
            pass(metadata);
          },
          onReceiveMessage: (message, pass) => {
            if (guard.refused) return;
            // A request that could not be decoded names no store: the handler wrapper refuses it without
            // touching any store, so an authenticated caller gets the request's own error.
            const undecodable = message instanceof UndecodableRequest;
            if (rule.kind === "request" && !undecodable && !guard.authorize(rule.need(message))) return;
            pass(message);
          },
          // After a refusal the handler must not be told the request is complete: it would answer too.
          onReceiveHalfClose: (pass) => {
            if (!guard.refused) pass();
          },
        }),
    });
  };
}

/** One call's authentication state. */
class CallGuard {
  private grant: TokenGrant | undefined;
  /** Whether the call was answered with a refusal; nothing more may reach the handler. */
  refused = false;

  constructor(
    private readonly call: ServerInterceptingCallInterface,
    private readonly path: string,
    private readonly grants: readonly TokenGrant[],
    private readonly toStatus: AuthInterceptorOptions["toStatus"],
  ) {}

  /** Finds the call's grant; refuses the call (and returns false) when there is none. */
  authenticate(metadata: Metadata): boolean {
    try {
      this.grant = findGrant(this.grants, bearerToken(metadata));
      if (this.grant === undefined) throw new UnauthenticatedError("invalid bearer token");
      return true;
    } catch (error) {
      return this.refuse(error);
    }
  }

  /** Whether the call's grant covers `need`; refuses the call (and returns false) when it does not. */
  authorize(need: Need): boolean {
    if (this.grant !== undefined && allows(this.grant, need)) return true;
    return this.refuse(new PermissionDeniedError(need));
  }

  private refuse(error: unknown): false {
    this.refused = true;
    // The failure's trailers carry its google.rpc.Status details, as every other failure's do.
    this.call.sendStatus(this.toStatus(error, this.path));
    return false;
  }
}
