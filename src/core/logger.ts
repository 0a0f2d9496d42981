/** Structured properties attached to a log line. */
export type LogProperties = Record<string, unknown>;

/** The logger Taskhub writes to. Plug in your own (pino, winston, console) with four methods. */
export interface Logger {
  debug(message: string, properties?: LogProperties): void;
  info(message: string, properties?: LogProperties): void;
  warn(message: string, properties?: LogProperties): void;
  error(message: string, properties?: LogProperties): void;
}

/** A logger that drops everything (the library default). */
export const silentLogger: Logger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
});
