import {
  boundingBox,
  DEFAULT_DUPLICATE_SETTINGS,
  haversineMetres,
  normalizeText,
  scoreDuplicate,
  trigrams,
  trigramSimilarity,
} from './scoring';

describe('haversineMetres', () => {
  it('is zero for the same point and symmetric', () => {
    const a = { lat: 47.3941, lng: 0.6848 };
    const b = { lat: 47.395, lng: 0.686 };
    expect(haversineMetres(a, a)).toBe(0);
    expect(haversineMetres(a, b)).toBeCloseTo(haversineMetres(b, a), 6);
  });
  it('matches known distances (Paris–Lyon ≈ 392 km, 0.001° of latitude ≈ 111 m)', () => {
    expect(haversineMetres({ lat: 48.8566, lng: 2.3522 }, { lat: 45.764, lng: 4.8357 }) / 1000).toBeCloseTo(392, -1);
    expect(haversineMetres({ lat: 47, lng: 0.7 }, { lat: 47.001, lng: 0.7 })).toBeCloseTo(111.2, 0);
  });
});

describe('text similarity (as pg_trgm)', () => {
  it('ignores case, accents and punctuation', () => {
    expect(normalizeText('Éclairage  PUBLIC, en panne !')).toBe('eclairage public en panne');
    expect(trigramSimilarity('Lampadaire en panne', 'lampadaire EN PANNE')).toBe(1);
  });
  it('builds padded word trigrams', () => {
    expect([...trigrams('cat')].sort()).toEqual(['  c', ' ca', 'at ', 'cat'].sort());
  });
  it('is 0 for unrelated or empty texts and between 0 and 1 for related ones', () => {
    expect(trigramSimilarity('', 'abc')).toBe(0);
    expect(trigramSimilarity('nid de poule', 'tapage nocturne')).toBeLessThan(0.1);
    const s = trigramSimilarity('Gros nid-de-poule devant l’école', 'nid de poule devant l ecole primaire');
    expect(s).toBeGreaterThan(0.4);
    expect(s).toBeLessThan(1);
  });
});

describe('scoreDuplicate', () => {
  const base = { sameCategory: true, distanceMetres: 20, textSimilarity: 0.5, ageDays: 1 };
  it('never offers another category', () => {
    expect(scoreDuplicate({ ...base, sameCategory: false })).toMatchObject({ score: 0, candidate: false });
  });
  it('offers a close, similar, recent request', () => {
    const r = scoreDuplicate(base);
    expect(r.candidate).toBe(true);
    expect(r.score).toBeGreaterThan(0.6);
  });
  it('decreases with distance, age and dissimilarity', () => {
    const s = scoreDuplicate(base).score;
    expect(scoreDuplicate({ ...base, distanceMetres: 120 }).score).toBeLessThan(s);
    expect(scoreDuplicate({ ...base, ageDays: 20 }).score).toBeLessThan(s);
    expect(scoreDuplicate({ ...base, textSimilarity: 0.1 }).score).toBeLessThan(s);
  });
  it('does not offer a far, old, unrelated request', () => {
    expect(scoreDuplicate({ sameCategory: true, distanceMetres: 5000, textSimilarity: 0.05, ageDays: 60 }).candidate).toBe(false);
  });
  it('without positions relies on the text, with a penalty', () => {
    const noPos = scoreDuplicate({ ...base, distanceMetres: null, textSimilarity: 1, ageDays: 0 });
    expect(noPos.parts.distance).toBeNull();
    expect(noPos.score).toBeCloseTo(0.8, 3);
    expect(scoreDuplicate({ ...base, distanceMetres: null, textSimilarity: 0.1 }).candidate).toBe(false);
  });
  it('stays in [0, 1] whatever the input', () => {
    for (const f of [
      { ...base, textSimilarity: 7, ageDays: -3, distanceMetres: -1 },
      { ...base, textSimilarity: -1, ageDays: 1e9, distanceMetres: 1e9 },
    ]) {
      const r = scoreDuplicate(f, DEFAULT_DUPLICATE_SETTINGS).score;
      expect(r).toBeGreaterThanOrEqual(0);
      expect(r).toBeLessThanOrEqual(1);
    }
  });
});

describe('boundingBox', () => {
  it('contains every point within the distance', () => {
    const p = { lat: 47.39, lng: 0.68 };
    const box = boundingBox(p, 150);
    for (const [dLat, dLng] of [
      [0.00134, 0],
      [0, 0.00197],
      [-0.00134, 0],
      [0, -0.00197],
    ] as const) {
      const q = { lat: p.lat + dLat, lng: p.lng + dLng };
      expect(haversineMetres(p, q)).toBeLessThanOrEqual(150);
      expect(q.lat).toBeGreaterThanOrEqual(box.minLat);
      expect(q.lat).toBeLessThanOrEqual(box.maxLat);
      expect(q.lng).toBeGreaterThanOrEqual(box.minLng);
      expect(q.lng).toBeLessThanOrEqual(box.maxLng);
    }
  });
});
