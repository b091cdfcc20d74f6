/**
 * The one logging call the store makes, as an interface, so that the store depends on no logging library (pino's
 * logger fits it).
 */

/** Where a store reports what deserves an operator's attention. Structurally compatible with pino's logger. */
export interface StoreLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

/** A logger that drops everything: the default when none is given. */
export const silentLogger: StoreLogger = {
  warn() {},
};
