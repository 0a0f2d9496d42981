// Fails any test that tries to reach a host other than loopback (tests may only talk to loopback).
import http from "node:http";
import https from "node:https";
import net from "node:net";

const LOOPBACK = new Set(["127.0.0.1", "localhost", "::1", "[::1]"]);

function hostOf(args: unknown[]): string | undefined {
  const first = args[0];
  if (typeof first === "string") return new URL(first).hostname;
  if (first instanceof URL) return first.hostname;
  if (typeof first === "object" && first !== null) {
    const options = first as { hostname?: string; host?: string };
    return options.hostname ?? options.host?.split(":")[0];
  }
  return undefined;
}

for (const module of [http, https]) {
  for (const method of ["request", "get"] as const) {
    const original = module[method] as (...args: unknown[]) => unknown;
    (module as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => {
      const host = hostOf(args);
      if (host !== undefined && !LOOPBACK.has(host)) throw new Error(`network guard: test tried to reach non-loopback host ${host}`);
      return original.apply(module, args);
    };
  }
}

// eslint-disable-next-line @typescript-eslint/unbound-method -- re-applied with the right receiver below
const originalConnect = net.Socket.prototype.connect as (...args: unknown[]) => net.Socket;
net.Socket.prototype.connect = function guardedConnect(this: net.Socket, ...args: unknown[]) {
  const first = args[0] as { host?: string; path?: string } | number | string | undefined;
  const host = typeof first === "object" && first !== null ? first.host : typeof args[1] === "string" ? args[1] : undefined;
  if (typeof first === "object" && first !== null && first.path !== undefined) return originalConnect.apply(this, args);
  if (host !== undefined && !LOOPBACK.has(host)) throw new Error(`network guard: test tried to connect to non-loopback host ${host}`);
  return originalConnect.apply(this, args);
};
