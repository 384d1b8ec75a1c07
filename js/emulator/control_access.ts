/**
 * @module emulator/control_access
 * Who may drive the control path. It has no credentials (tests and the CLI call it with a bare `fetch`), so it
 * refuses what a web page could send instead: a body that is not `application/json` (415: a cross-site form or
 * `text/plain` POST needs no CORS preflight), an `Origin` header other than the emulator's own (403), and a `Host`
 * header that is neither a loopback name or address nor the host the emulator was bound to (403: the DNS-rebinding
 * defence, where `evil.example` is made to resolve to 127.0.0.1). Node's `fetch` sends no `Origin`, so same-machine
 * clients keep working. Also: whether a bind address is loopback, for the "reachable from the network" warning.
 */

import type { IncomingHttpHeaders } from 'node:http';

/** Which `Host` headers the control path accepts besides loopback ones. */
export interface ControlAccessOptions {
  /** The host the server was bound to, e.g. `0.0.0.0` or `192.168.1.20`. */
  boundHost: string;
  /** Extra host names allowed in `Host` (e.g. `host.docker.internal`), compared case-insensitively. */
  extraHosts?: readonly string[];
}

/** A refusal: the status (403 or 415) and a message. */
export interface AccessDenied {
  status: 403 | 415;
  message: string;
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The host name of a `Host` header value: `[::1]:80` → `::1`, `Example.com:8080` → `example.com`. */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end < 0 ? h : h.slice(1, end);
  }
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}

/** Whether a host name or address is loopback: `localhost`, `*.localhost`, 127.0.0.0/8, `::1`, `::ffff:127.x.x.x`. */
export function isLoopback(host: string): boolean {
  let h = host.toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  if (h.startsWith('::ffff:')) h = h.slice('::ffff:'.length);
  const parts = h.split('.');
  return parts.length === 4 && parts[0] === '127' && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0].trim().toLowerCase();
}

/**
 * Checks one control request; `undefined` when it may proceed. `hasBody`: the request carried a non-empty body
 * (only those need `Content-Type: application/json`).
 */
export function checkControlAccess(headers: IncomingHttpHeaders, hasBody: boolean, opts: ControlAccessOptions): AccessDenied | undefined {
  const host = first(headers.host);
  if (host === undefined || host.trim() === '') return { status: 403, message: 'control requests need a Host header' };
  const name = hostName(host);
  const bound = opts.boundHost.toLowerCase().replace(/^\[(.*)\]$/, '$1');
  const allowed = isLoopback(name) || name === bound || (opts.extraHosts ?? []).some((h) => h.toLowerCase() === name);
  if (!allowed) {
    return { status: 403, message: `control requests must be addressed to a loopback host or '${opts.boundHost}', not '${name}'` };
  }
  const origin = first(headers.origin);
  if (origin !== undefined && origin.toLowerCase() !== `http://${host.trim().toLowerCase()}`) {
    return { status: 403, message: `control requests from another origin are refused (Origin '${origin}')` };
  }
  if (hasBody && mediaType(first(headers['content-type'])) !== 'application/json') {
    return { status: 415, message: `control request bodies must be sent as Content-Type: application/json` };
  }
  return undefined;
}
