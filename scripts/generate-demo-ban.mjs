#!/usr/bin/env node
/**
 * Writes packs/demo-town/ban/adresses-37.csv: Saint-Aubin-sur-Loire's addresses in the Base Adresse Nationale's
 * CSV format, generated from the demo's own streets (packs/demo-town/demo-tickets.yaml: name, centre, highest
 * number). Saint-Aubin is fictional, so no real BAN extract exists for it: each street is laid as a straight line
 * through its centre (a direction drawn from its name), odd numbers on one side, even on the other, 7 m apart, a
 * few "bis"/"ter". Deterministic: the same YAML gives the same file.
 *   node scripts/generate-demo-ban.mjs [pack folder]
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const folder = process.argv[2] ?? 'packs/demo-town';
const demo = parse(readFileSync(join(folder, 'demo-tickets.yaml'), 'utf8'));
const INSEE = '37999';
const POSTCODE = demo.city.postcode;
const COMMUNE = demo.city.name;

export const BAN_HEADER = [
  'id',
  'id_fantoir',
  'numero',
  'rep',
  'nom_voie',
  'code_postal',
  'code_insee',
  'nom_commune',
  'code_insee_ancienne_commune',
  'nom_ancienne_commune',
  'x',
  'y',
  'lon',
  'lat',
  'type_position',
  'alias',
  'nom_ld',
  'libelle_acheminement',
  'nom_afnor',
  'source_position',
  'source_nom_voie',
  'certification_commune',
  'cad_parcelles',
];

/** Lambert-93 (EPSG:2154) of a WGS84 point: the BAN's x, y (IGN's formulas for the conic conformal projection). */
export function lambert93(lat, lon) {
  const rad = Math.PI / 180;
  const e = 0.0818191910428158;
  const n = 0.725607765053267,
    c = 11754255.426096,
    xs = 700000,
    ys = 12655612.049876;
  const phi = lat * rad;
  const l = Math.log(Math.tan(Math.PI / 4 + phi / 2) * Math.pow((1 - e * Math.sin(phi)) / (1 + e * Math.sin(phi)), e / 2));
  const r = c * Math.exp(-n * l);
  const g = n * (lon - 3) * rad;
  return { x: Math.round((xs + r * Math.sin(g)) * 100) / 100, y: Math.round((ys - r * Math.cos(g)) * 100) / 100 };
}

const hash = (s) => [...s].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) >>> 0, 7);
const capitalise = (name) => name.charAt(0).toUpperCase() + name.slice(1);
const afnor = (name) =>
  name
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();

export function demoBanLines(streets) {
  const lines = [BAN_HEADER.join(';')];
  streets.forEach((s, i) => {
    const name = capitalise(s.name);
    const fantoir = `${INSEE}_${String(100 + i * 10).padStart(4, '0')}`;
    const max = s.maxNumber ?? 60;
    const angle = ((hash(s.name) % 180) * Math.PI) / 180;
    const metresPerLat = 111_320,
      metresPerLon = 111_320 * Math.cos((s.lat * Math.PI) / 180);
    const half = ((Math.ceil(max / 2) - 1) * 7) / 2;
    for (let n = 1; n <= max; n++) {
      const reps = [''];
      if (n % 13 === 0) reps.push('bis');
      if (n % 39 === 0) reps.push('ter');
      for (const [k, rep] of reps.entries()) {
        const along = Math.floor((n - 1) / 2) * 7 - half + k * 2;
        const side = n % 2 ? 9 : -9;
        const dx = along * Math.cos(angle) - side * Math.sin(angle);
        const dy = along * Math.sin(angle) + side * Math.cos(angle);
        const lat = Math.round((s.lat + dy / metresPerLat) * 1e6) / 1e6;
        const lon = Math.round((s.lng + dx / metresPerLon) * 1e6) / 1e6;
        const { x, y } = lambert93(lat, lon);
        lines.push(
          [
            `${fantoir}_${String(n).padStart(5, '0')}${rep ? `_${rep}` : ''}`,
            fantoir,
            n,
            rep,
            name,
            POSTCODE,
            INSEE,
            COMMUNE,
            '',
            '',
            x,
            y,
            lon,
            lat,
            'entrée',
            '',
            '',
            afnor(COMMUNE),
            afnor(name),
            'commune',
            'commune',
            '1',
            '',
          ].join(';'),
        );
      }
    }
  });
  return lines.join('\n') + '\n';
}

mkdirSync(join(folder, 'ban'), { recursive: true });
const text = demoBanLines(demo.streets);
writeFileSync(join(folder, 'ban', 'adresses-37.csv'), text);
console.log(`${join(folder, 'ban', 'adresses-37.csv')}: ${text.split('\n').length - 2} addresses, ${demo.streets.length} streets`);
