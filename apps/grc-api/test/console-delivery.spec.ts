import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { get, type IncomingHttpHeaders } from 'node:http';
import request from 'supertest';
import { startTestApp, type TestContext } from './support/test-app';

/** An answer's status, headers and bytes as sent (no client-side decompression), so that the encoding is checked. */
function fetchRaw(
  base: string,
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(new URL(path, base), { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

/**
 * How the API serves the built console (a fake build in a temporary folder): compressed answers, hashed
 * files cached for a year, index.html revalidated, the SPA fallback; the API's answers compressed too.
 */
describe('console delivery: compression and caching', () => {
  let ctx: TestContext;
  const script = `export const words = ${JSON.stringify(Array.from({ length: 400 }, (_, i) => `mot-${i}`))};\n`;
  beforeAll(async () => {
    const dist = mkdtempSync(join(tmpdir(), 'grc-web-'));
    writeFileSync(join(dist, 'index.html'), `<!doctype html><html lang="fr"><body><grc-root></grc-root>${' '.repeat(2000)}</body></html>`);
    writeFileSync(join(dist, 'main-AB12CD34.js'), script);
    writeFileSync(join(dist, 'favicon.ico'), 'icon');
    mkdirSync(join(dist, 'media'));
    writeFileSync(join(dist, 'media', 'marianne-ZX98YW76.woff2'), 'font');
    ctx = await startTestApp({ GRC_WEB_DIST: dist });
  });
  afterAll(() => ctx.close());

  it('sends brotli when the browser accepts it, gzip otherwise, identity when it asks for nothing', async () => {
    const br = await fetchRaw(ctx.url, '/main-AB12CD34.js', { 'Accept-Encoding': 'gzip, deflate, br' });
    expect(br.status).toBe(200);
    expect(br.headers['content-encoding']).toBe('br');
    expect(brotliDecompressSync(br.body).toString()).toBe(script);
    expect(br.body.length).toBeLessThan(script.length / 2);

    const gz = await fetchRaw(ctx.url, '/main-AB12CD34.js', { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).toString()).toBe(script);
    expect(gz.body.length).toBeLessThan(script.length / 2);

    const plain = await fetchRaw(ctx.url, '/main-AB12CD34.js', { 'Accept-Encoding': 'identity' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toBe(script);
  });

  it('caches hashed files for a year, immutable; index.html and unhashed files are revalidated', async () => {
    for (const path of ['/main-AB12CD34.js', '/media/marianne-ZX98YW76.woff2']) {
      const res = await request(ctx.url).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    }
    for (const path of ['/index.html', '/favicon.ico']) {
      const res = await request(ctx.url).get(path);
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-cache');
    }
    const route = await request(ctx.url).get('/tickets/123').set('Accept', 'text/html').set('Accept-Encoding', 'gzip');
    expect(route.status).toBe(200);
    expect(route.headers['cache-control']).toBe('no-cache');
    expect(route.headers['content-encoding']).toBe('gzip');
    expect(route.text).toContain('<grc-root>');
  });

  it("compresses the API's answers too, which stay no-store", async () => {
    const res = await fetchRaw(ctx.url, '/api/docs-json', { 'Accept-Encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(JSON.parse(gunzipSync(res.body).toString())).toHaveProperty('openapi');
    expect(res.headers['content-encoding']).toBe('gzip');
    const api = await request(ctx.url).get('/api/v1/health').set('Accept-Encoding', 'br');
    expect(api.headers['cache-control']).toBe('no-store');
  });
});
