import type { DescService, MessageShape } from "@bufbuild/protobuf";
import { Health } from "../../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../../gen/grpc/reflection/v1/reflection_pb.js";
import { SessionAdminService } from "../../gen/redisession/v1/admin_service_pb.js";
import { SessionService } from "../../gen/redisession/v1/session_service_pb.js";
import { DEFAULT_STORE } from "../config/config-schema.js";
import type { ServiceAccess } from "../config/server-schema.js";
import { type InputOf, methodPath } from "../rpc/method-definitions.js";
import { ANY_STORE, EVERY_STORE, type Need } from "./scopes.js";

/**
 * The scope table: what each method needs. Rules of methods whose request names a store are decided when the
 * request message arrives (the store is in it, and GetSession's `touch` changes the scope); the others when the
 * call's metadata does.
 */
export type AccessRule =
  | { readonly kind: "open" }
  | { readonly kind: "method"; readonly need: Need }
  | { readonly kind: "request"; readonly need: (request: unknown) => Need };

/** A path no rule names (a service added without one): only a token with `admin` on every store may call it. */
export const UNLISTED_RULE: AccessRule = { kind: "method", need: { scope: "admin", store: EVERY_STORE } };

const OPEN: AccessRule = { kind: "open" };

/** One rule per method of `S`, typed by each method's request: adding an RPC to the proto asks for its rule. */
type RequestRules<S extends DescService> = {
  readonly [K in keyof S["method"]]: (request: MessageShape<InputOf<S["method"][K]>>) => Need;
};

/** The store a request names; an empty name is the default store, as the handlers read it. */
const storeOf = (request: { store: string }) => (request.store === "" ? DEFAULT_STORE : request.store);

const sessionRules: RequestRules<typeof SessionService> = {
  getSession: (request) => ({ scope: request.touch ? "write" : "read", store: storeOf(request) }),
  batchGetSessions: (request) => ({ scope: "read", store: storeOf(request) }),
  createSession: (request) => ({ scope: "write", store: storeOf(request) }),
  saveSession: (request) => ({ scope: "write", store: storeOf(request) }),
  touchSession: (request) => ({ scope: "write", store: storeOf(request) }),
  deleteSession: (request) => ({ scope: "write", store: storeOf(request) }),
  rotateSessionKey: (request) => ({ scope: "write", store: storeOf(request) }),
};

const adminRules: RequestRules<typeof SessionAdminService> = {
  purgeExpired: (request) => ({ scope: "admin", store: storeOf(request) }),
  getStoreStats: (request) => ({ scope: "admin", store: storeOf(request) }),
  // It describes every store, so a token limited to some stores must not see the others.
  listStores: () => ({ scope: "admin", store: EVERY_STORE }),
};

function requestRules<S extends DescService>(service: S, rules: RequestRules<S>): [string, AccessRule][] {
  return service.methods.map((method) => {
    const need = rules[method.localName as keyof S["method"]] as (request: unknown) => Need;
    return [methodPath(method), { kind: "request", need }];
  });
}

/** `@grpc/reflection` serves both versions; grpcurl tries v1 first and falls back to v1alpha. */
const REFLECTION_PATHS = [
  methodPath(ServerReflection.method.serverReflectionInfo),
  `/grpc.reflection.v1alpha.ServerReflection/${ServerReflection.method.serverReflectionInfo.name}`,
];

/**
 * The rule of every served path, by HTTP/2 path. Health is always open (load balancers and orchestrators probe
 * it without credentials); reflection and the admin service follow `access` (an `"off"` service is not served, so
 * its rule never applies).
 */
export function accessRules(access: {
  readonly reflection: ServiceAccess;
  readonly adminService: ServiceAccess;
}): ReadonlyMap<string, AccessRule> {
  const admin = requestRules(SessionAdminService, adminRules);
  const reflection: AccessRule =
    access.reflection === "open" ? OPEN : { kind: "method", need: { scope: "admin", store: ANY_STORE } };
  return new Map<string, AccessRule>([
    ...requestRules(SessionService, sessionRules),
    ...(access.adminService === "open" ? admin.map(([path]): [string, AccessRule] => [path, OPEN]) : admin),
    ...Health.methods.map((method): [string, AccessRule] => [methodPath(method), OPEN]),
    ...REFLECTION_PATHS.map((path): [string, AccessRule] => [path, reflection]),
  ]);
}
