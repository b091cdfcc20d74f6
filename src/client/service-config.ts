import type { DescMethod, DescService } from "@bufbuild/protobuf";
import type { MethodConfig, RetryPolicy, ServiceConfig } from "@grpc/grpc-js";

/**
 * The gRPC service config the client hands grpc-js (channel option `grpc.service_config`), which is where grpc-js
 * reads retry policies from: gRFC A6 (client retries) and grpc-js `service-config.ts` are the references. Retrying
 * in grpc-js rather than around it means attempts share the call's deadline, the server's
 * `grpc-retry-pushback-ms` is honoured, and an attempt that never reached the server's handlers is retried
 * transparently.
 */

/** Retry settings for the retryable (idempotent) methods. Every field is optional. */
export interface RetryOptions {
  /**
   * Attempts in all, the first one included: an integer from 1 (no retries) to 5 (gRFC A6's limit, which grpc-js
   * would otherwise apply silently). Default: 4.
   */
  readonly maxAttempts?: number | undefined;
  /** The backoff before the first retry, in milliseconds (grpc-js adds ±20% jitter). Above 0. Default: 100. */
  readonly initialBackoffMs?: number | undefined;
  /** The longest backoff between attempts, in milliseconds. Above 0. Default: 2000. */
  readonly maxBackoffMs?: number | undefined;
  /** The factor each backoff grows by after a retry. Above 0. Default: 2. */
  readonly backoffMultiplier?: number | undefined;
}

/** {@link RetryOptions} with every default filled in. */
export const DEFAULT_RETRY_OPTIONS: Readonly<Required<RetryOptions>> = Object.freeze({
  maxAttempts: 4,
  initialBackoffMs: 100,
  maxBackoffMs: 2000,
  backoffMultiplier: 2,
});

/** gRFC A6's cap on attempts, which grpc-js enforces by lowering a higher `maxAttempts` without a word. */
const MAX_ATTEMPTS = 5;

/**
 * The status codes worth another attempt. Only UNAVAILABLE: it means the server (or its Redis) could not be
 * reached right now. Any other code answers the request itself (the same request would get it again) or needs the
 * caller's judgement: ABORTED asks for a fresh read first, and a DEADLINE_EXCEEDED call has no time left.
 */
const RETRYABLE_STATUS_CODES = ["UNAVAILABLE"];

/**
 * The service config as JSON-ready data: grpc-js's own types, without the fields it fills in on parsing.
 *
 * It sets no `retryThrottling`: grpc-js keeps throttling state in a process-wide map keyed by the target string,
 * shared by every channel to that target and outliving them, so one client's failures (or a closed client's) would
 * silently stop another's retries. `maxAttempts` and the backoff already bound what one call can add.
 */
export type ServiceConfigJson = Pick<ServiceConfig, "methodConfig">;

/**
 * Fills in and checks retry options.
 *
 * @throws RangeError when a value is out of range.
 */
export function resolveRetryOptions(retry: RetryOptions | undefined): Required<RetryOptions> {
  const resolved: Required<RetryOptions> = {
    maxAttempts: retry?.maxAttempts ?? DEFAULT_RETRY_OPTIONS.maxAttempts,
    initialBackoffMs: retry?.initialBackoffMs ?? DEFAULT_RETRY_OPTIONS.initialBackoffMs,
    maxBackoffMs: retry?.maxBackoffMs ?? DEFAULT_RETRY_OPTIONS.maxBackoffMs,
    backoffMultiplier: retry?.backoffMultiplier ?? DEFAULT_RETRY_OPTIONS.backoffMultiplier,
  };
  if (
    !Number.isInteger(resolved.maxAttempts) ||
    resolved.maxAttempts < 1 ||
    resolved.maxAttempts > MAX_ATTEMPTS
  ) {
    throw new RangeError(
      `retry.maxAttempts must be an integer from 1 to ${MAX_ATTEMPTS}, got ${resolved.maxAttempts}`,
    );
  }
  for (const key of ["initialBackoffMs", "maxBackoffMs", "backoffMultiplier"] as const) {
    // Also refuses NaN, which every comparison rejects.
    if (!(Number.isFinite(resolved[key]) && resolved[key] > 0)) {
      throw new RangeError(`retry.${key} must be a finite number above 0, got ${resolved[key]}`);
    }
  }
  return resolved;
}

/**
 * A duration in the service config's string form: seconds with up to 9 decimals and an `s` (`100` ms is
 * `"0.1s"`), the only form grpc-js accepts for backoffs.
 */
export function durationString(ms: number): string {
  // toFixed(9) rather than String(): String() would write very small or large values in exponent notation.
  const seconds = (ms / 1000).toFixed(9).replace(/\.?0+$/, "");
  return `${seconds}s`;
}

/**
 * The service config of a client of `service`.
 *
 * One method config per service gives every method `waitForReady: false`, so a call fails at once with
 * UNAVAILABLE while the server is down instead of waiting for its deadline. (grpc-js 1.14 validates this field
 * but then reads `waitForReady` only from per-call metadata options, which this client never sets, so calls fail
 * fast either way; the entry records the intent and keeps it should grpc-js start honouring it.)
 *
 * A second config, for exactly the `retried` methods, adds the retry policy; grpc-js picks the config naming the
 * method over the one naming only the service.
 *
 * @param service - the service the client calls.
 * @param retried - the methods that may be retried (they must be idempotent: a retry may repeat a call the server
 *   already carried out).
 * @param retry - the retry settings, or `false` for no retry policy at all.
 */
export function buildServiceConfig(
  service: DescService,
  retried: readonly DescMethod[],
  retry: Required<RetryOptions> | false,
): ServiceConfigJson {
  const methodConfig: MethodConfig[] = [{ name: [{ service: service.typeName }], waitForReady: false }];
  if (retry !== false && retry.maxAttempts > 1 && retried.length > 0) {
    const retryPolicy: RetryPolicy = {
      maxAttempts: retry.maxAttempts,
      initialBackoff: durationString(retry.initialBackoffMs),
      maxBackoff: durationString(retry.maxBackoffMs),
      backoffMultiplier: retry.backoffMultiplier,
      retryableStatusCodes: RETRYABLE_STATUS_CODES,
    };
    methodConfig.push({
      // The service config names methods by their proto names (`GetSession`), as in the HTTP/2 path.
      name: retried.map((method) => ({ service: method.parent.typeName, method: method.name })),
      waitForReady: false,
      retryPolicy,
    });
  }
  return { methodConfig };
}
