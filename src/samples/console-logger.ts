import type { Logger, LogProperties } from "../index.js";

const LEVELS = ["debug", "info", "warn", "error"] as const;

/** A logger that writes one line per event to stderr, from `minLevel` up. */
export function consoleLogger(minLevel: (typeof LEVELS)[number] = "warn"): Logger {
  const threshold = LEVELS.indexOf(minLevel);
  const write = (level: (typeof LEVELS)[number]) => (message: string, properties?: LogProperties): void => {
    if (LEVELS.indexOf(level) < threshold) return;
    console.error(`${new Date().toISOString()} ${level.toUpperCase()} ${message}${properties === undefined ? "" : ` ${JSON.stringify(properties)}`}`);
  };
  return { debug: write("debug"), info: write("info"), warn: write("warn"), error: write("error") };
}
