import { parseTrustProxy } from './trust-proxy';

describe('parseTrustProxy (GRC_TRUST_PROXY)', () => {
  it('reads false, hop counts and address lists', () => {
    expect(parseTrustProxy(undefined)).toEqual(['loopback']);
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1);
    expect(parseTrustProxy('172.16.0.0/12, 10.1.2.3,uniquelocal')).toEqual(['172.16.0.0/12', '10.1.2.3', 'uniquelocal']);
    expect(parseTrustProxy('fd00::/8')).toEqual(['fd00::/8']);
  });
  it('refuses what it cannot read, rather than trusting the wrong hops', () => {
    expect(() => parseTrustProxy('true')).toThrow(/GRC_TRUST_PROXY: "true"/);
    expect(() => parseTrustProxy('10.0.0.0/33')).toThrow(/10.0.0.0\/33/);
    expect(() => parseTrustProxy('nginx')).toThrow(/nginx/);
  });
});
