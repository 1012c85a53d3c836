import { loadMapTiles } from './map-tiles.config';

describe('the map tiles configuration', () => {
  const env = (url: string, attribution = '© IGN') => ({ GRC_MAP_TILES_URL: url, GRC_MAP_TILES_ATTRIBUTION: attribution });

  it('is none without a URL: no map', () => {
    expect(loadMapTiles({})).toBeNull();
    expect(loadMapTiles({ GRC_MAP_TILES_URL: '  ' })).toBeNull();
  });

  it('gives the template, the attribution and the origin the CSP allows', () => {
    expect(loadMapTiles(env('https://tiles.example.org/plan/{z}/{x}/{y}.png'))).toEqual({
      url: 'https://tiles.example.org/plan/{z}/{x}/{y}.png',
      attribution: '© IGN',
      maxZoom: 19,
      origin: 'https://tiles.example.org',
    });
    expect(loadMapTiles(env('https://{s}.tile.example.org/{z}/{x}/{y}.png'))?.origin).toBe('https://*.tile.example.org');
    expect(loadMapTiles({ ...env('http://127.0.0.1:8080/{z}/{x}/{y}.png'), GRC_MAP_MAX_ZOOM: '17' })).toMatchObject({
      origin: 'http://127.0.0.1:8080',
      maxZoom: 17,
    });
  });

  it('refuses a template without its placeholders, plain http off loopback, no attribution', () => {
    expect(() => loadMapTiles(env('https://tiles.example.org/plan.png'))).toThrow(/\{z\}/);
    expect(() => loadMapTiles(env('http://tiles.example.org/{z}/{x}/{y}.png'))).toThrow(/https/);
    expect(() => loadMapTiles(env('https://tiles.example.org/{z}/{x}/{y}.png', ''))).toThrow(/ATTRIBUTION/);
    expect(() => loadMapTiles(env("https://x.org'; script-src *; /{z}/{x}/{y}"))).toThrow();
  });
});
