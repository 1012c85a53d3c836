import { startTestApp, type TestContext } from './support/test-app';

/** helmet's headers on the console and the API; HSTS only when served over TLS (secure cookies). */
describe('security headers', () => {
  let plain: TestContext;
  let tls: TestContext;
  beforeAll(async () => {
    [plain, tls] = await Promise.all([startTestApp(), startTestApp({ GRC_SECURE_COOKIES: 'true' })]);
  });
  afterAll(async () => {
    await Promise.all([plain.close(), tls.close()]);
  });

  it('sends a strict CSP (no inline script), no framing, no sniffing, and no HSTS over plain HTTP', async () => {
    const res = await plain.http.get('/api/v1/health');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self';");
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("object-src 'none'");
    expect(res.headers['x-frame-options']).toBe('DENY');
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['referrer-policy']).toBe('same-origin');
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });

  it('adds HSTS and upgrade-insecure-requests behind TLS', async () => {
    const res = await tls.http.get('/api/v1/health');
    expect(res.headers['strict-transport-security']).toBe('max-age=31536000');
    expect(String(res.headers['content-security-policy'])).toContain('upgrade-insecure-requests');
  });
});
