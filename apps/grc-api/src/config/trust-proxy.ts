import { isIP } from 'node:net';

/** Express's `trust proxy` value: false, a hop count, or addresses/subnets (and Express's names). */
export type TrustProxy = false | number | string[];

const NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * GRC_TRUST_PROXY: `false` (clients connect directly), a number of proxy hops in front of the app (`1`
 * for one nginx), or a comma-separated list of addresses / CIDR subnets / `loopback|linklocal|uniquelocal`
 * whose X-Forwarded-For is believed. Default `loopback` (a proxy on the same host). Anything else is a
 * start-up error: a wrong value would put every agent in one rate-limit bucket, or let clients choose theirs.
 */
export function parseTrustProxy(value: string | undefined): TrustProxy {
  const v = (value ?? 'loopback').trim();
  if (v === '' || v === 'loopback') return ['loopback'];
  if (v === 'false' || v === '0') return false;
  if (/^\d+$/.test(v)) return Number(v);
  const list = v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const item of list) {
    const [addr, bits, extra] = item.split('/');
    const family = isIP(addr ?? '');
    const okBits = bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
    if (!(NAMES.has(item) || (family && okBits && extra === undefined))) {
      throw new Error(
        `GRC_TRUST_PROXY: "${item}" is neither false, a hop count, an address, a subnet (10.0.0.0/8) nor loopback/linklocal/uniquelocal`,
      );
    }
  }
  return list;
}
