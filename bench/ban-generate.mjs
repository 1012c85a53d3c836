#!/usr/bin/env node
// Writes a file in the Base Adresse Nationale's CSV format (adresses-<dep>.csv) with a large département's size:
//   node bench/ban-generate.mjs [--addresses=500000] [--out=bench/.data/adresses-99.csv]
// Deterministic (seeded): communes "Commune-<n>", each with streets named from the usual French street types and
// names, house numbers along each street, some bis/ter, positions spread over a département-sized box.
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

const TYPES = ['Rue', 'Rue', 'Rue', 'Avenue', 'Boulevard', 'Place', 'Chemin', 'Allée', 'Impasse', 'Route', 'Quai', 'Square', 'Passage'];
const NAMES = [
  'de la Gare',
  'de l’Église',
  'du Moulin',
  'des Écoles',
  'Victor-Hugo',
  'Jean-Jaurès',
  'Pasteur',
  'de la République',
  'du Château',
  'des Tilleuls',
  'des Lilas',
  'Gambetta',
  'du Général-de-Gaulle',
  'de la Paix',
  'des Acacias',
  'Jules-Ferry',
  'Émile-Zola',
  'de la Mairie',
  'du Commerce',
  'des Vignes',
  'de Tours',
  'Nationale',
  'de la Fontaine',
  'du Stade',
  'des Peupliers',
  'de la Forêt',
  'Saint-Martin',
  'Pierre-et-Marie-Curie',
  'Louise-Michel',
  'Simone-Veil',
  'Jean-Moulin',
  'des Rosiers',
  'du Lavoir',
  'de la Croix',
  'des Chênes',
  'du Puits',
  'de la Libération',
  'du 8-Mai-1945',
  'Anatole-France',
  'Voltaire',
  'de Verdun',
  'des Prés',
  'du Four',
  'de la Poste',
  'des Jardins',
  'Carnot',
  'Foch',
  'du Marché',
  'de la Loire',
  'des Cerisiers',
];

export function* banLines(total, dep = '99') {
  let seed = 12345;
  const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  yield 'id;id_fantoir;numero;rep;nom_voie;code_postal;code_insee;nom_commune;code_insee_ancienne_commune;nom_ancienne_commune;x;y;lon;lat;type_position;alias;nom_ld;libelle_acheminement;nom_afnor;source_position;source_nom_voie;certification_commune;cad_parcelles';
  let written = 0;
  for (let c = 1; written < total; c++) {
    const insee = `${dep}${String(c).padStart(3, '0')}`;
    const commune = `Commune-${c}`;
    const postcode = `${dep}${String(100 + (c % 900)).padStart(3, '0')}`;
    const cLat = 46 + rnd() * 1.2,
      cLon = 0.2 + rnd() * 1.6;
    const streets = 20 + Math.floor(rnd() * 120);
    const used = new Set();
    for (let s = 0; s < streets && written < total; s++) {
      let name;
      do name = `${TYPES[Math.floor(rnd() * TYPES.length)]} ${NAMES[Math.floor(rnd() * NAMES.length)]}`;
      while (used.has(name) && used.size < TYPES.length * NAMES.length);
      used.add(name);
      const fantoir = `${insee}_${String(s + 1).padStart(4, '0')}`;
      const sLat = cLat + (rnd() - 0.5) * 0.03,
        sLon = cLon + (rnd() - 0.5) * 0.04,
        angle = rnd() * Math.PI;
      const max = 5 + Math.floor(rnd() * 80);
      for (let n = 1; n <= max && written < total; n++) {
        for (const rep of n % 17 === 0 ? ['', 'bis'] : n % 41 === 0 ? ['', 'ter'] : ['']) {
          const d = n * 0.00006;
          const lat = (sLat + Math.sin(angle) * d + (n % 2 ? 0.00008 : -0.00008)).toFixed(6);
          const lon = (sLon + Math.cos(angle) * d).toFixed(6);
          yield [
            `${fantoir}_${String(n).padStart(5, '0')}${rep ? `_${rep}` : ''}`,
            fantoir,
            n,
            rep,
            name,
            postcode,
            insee,
            commune,
            '',
            '',
            '',
            '',
            lon,
            lat,
            'entrée',
            '',
            '',
            commune.toUpperCase(),
            name.toUpperCase(),
            'commune',
            'commune',
            '1',
            '',
          ].join(';');
          written++;
        }
      }
    }
  }
}

/** Writes the file; resolves with the number of addresses. */
export function writeBanFile(file, total, dep) {
  mkdirSync(dirname(file), { recursive: true });
  return new Promise((resolve, reject) => {
    const out = createWriteStream(file);
    out.on('error', reject);
    let n = -1;
    const lines = banLines(total, dep);
    // next() by hand: leaving a for…of would close the generator
    const pump = () => {
      for (let r = lines.next(); !r.done; r = lines.next()) {
        n++;
        if (!out.write(r.value + '\n')) return out.once('drain', pump);
      }
      out.end(() => resolve(n));
    };
    pump();
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = Object.fromEntries(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=')));
  const file = args.out ?? 'bench/.data/adresses-99.csv';
  const n = await writeBanFile(file, Number(args.addresses ?? 500_000), args.dep ?? '99');
  console.log(`${file}: ${n.toLocaleString('en')} addresses`);
}
