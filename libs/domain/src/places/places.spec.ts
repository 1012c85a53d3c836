import { addressLine, distanceMetres, normaliseAddressText, parseAddressQuery, streetSearchText } from './address-query';
import { readBanLine } from './ban';
import { areasToGeoJson, describeArea, geoJsonToAreas, planAreaImport, type AreaImportContext } from './geojson';
import { pointInPolygon } from '../routing/routing';

describe('parseAddressQuery', () => {
  it('reads the number, the repetition index and expands street-type abbreviations', () => {
    expect(parseAddressQuery('12 bis av. de la Gare')).toEqual({ number: 12, rep: 'bis', text: 'avenue de la gare', postcode: null });
    expect(parseAddressQuery('12bis bd Gambetta')).toMatchObject({ number: 12, rep: 'bis', text: 'boulevard gambetta' });
    expect(parseAddressQuery('3 ter r. Nationale')).toMatchObject({ number: 3, rep: 'ter', text: 'rue nationale' });
    expect(parseAddressQuery('5 pl. de la Mairie')).toMatchObject({ number: 5, rep: null, text: 'place de la mairie' });
    expect(parseAddressQuery('chem. des Vignes')).toMatchObject({ number: null, text: 'chemin des vignes' });
    expect(parseAddressQuery('2 b rue Pasteur')).toMatchObject({ number: 2, rep: 'bis', text: 'rue pasteur' });
  });
  it('ignores accents, case and punctuation; keeps a postcode apart', () => {
    expect(parseAddressQuery('  RUE  Émile-Zola, 37999 ')).toEqual({ number: null, rep: null, text: 'rue emile zola', postcode: '37999' });
    expect(parseAddressQuery('37999 saint aubin')).toMatchObject({ number: null, postcode: '37999', text: 'saint aubin' });
  });
  it('does not take a street-type abbreviation for a repetition index ("qua" is quai)', () => {
    expect(parseAddressQuery('4 qua de Loire')).toMatchObject({ number: 4, rep: null, text: 'quai de loire' });
  });
  it('a number glued to a word is split', () => {
    expect(parseAddressQuery('12rue nationale')).toMatchObject({ number: 12, text: 'rue nationale' });
  });
  it('bounds what it reads', () => {
    expect(parseAddressQuery('a'.repeat(10_000)).text.length).toBe(200);
    expect(parseAddressQuery('')).toEqual({ number: null, rep: null, text: '', postcode: null });
  });
});

describe('street search text', () => {
  it('is the normalised name and commune, abbreviations expanded', () => {
    expect(streetSearchText('Av. du Général-de-Gaulle', 'Saint-Aubin-sur-Loire')).toBe('avenue du general de gaulle saint aubin sur loire');
    expect(normaliseAddressText("Allée de l'Œuvre")).toBe('allee de l oeuvre');
    expect(addressLine(12, 'bis', 'Rue Nationale')).toBe('12 bis Rue Nationale');
    expect(addressLine(null, null, 'Rue Nationale')).toBe('Rue Nationale');
  });
});

describe('readBanLine', () => {
  const line = {
    id: '37999_0450_00012_bis',
    id_fantoir: '37999_0450',
    numero: '12',
    rep: 'bis',
    nom_voie: 'Rue Nationale',
    code_postal: '37999',
    code_insee: '37999',
    nom_commune: 'Saint-Aubin-sur-Loire',
    lon: '0.689',
    lat: '47.3905',
  };
  it('reads a valid line', () => {
    expect(readBanLine(line)).toEqual({
      ok: true,
      address: {
        id: line.id,
        fantoir: '37999_0450',
        number: 12,
        rep: 'bis',
        street: 'Rue Nationale',
        postcode: '37999',
        insee: '37999',
        commune: 'Saint-Aubin-sur-Loire',
        lon: 0.689,
        lat: 47.3905,
      },
    });
  });
  it('names the first field at fault', () => {
    expect(readBanLine({ ...line, numero: 'douze' })).toEqual({ ok: false, field: 'numero', code: 'ban.numero' });
    expect(readBanLine({ ...line, lat: '' })).toEqual({ ok: false, field: 'lat', code: 'ban.lat' });
    expect(readBanLine({ ...line, lat: '91' })).toEqual({ ok: false, field: 'lat', code: 'ban.lat' });
    expect(readBanLine({ ...line, code_insee: '2A004' })).toMatchObject({ ok: true });
    expect(readBanLine({ ...line, code_postal: '375' })).toEqual({ ok: false, field: 'code_postal', code: 'ban.code_postal' });
    expect(readBanLine({ ...line, id: "x'; drop" })).toEqual({ ok: false, field: 'id', code: 'ban.id' });
  });
});

describe('distanceMetres', () => {
  it('is the great-circle distance', () => {
    expect(distanceMetres({ lat: 47.39, lng: 0.69 }, { lat: 47.39, lng: 0.69 })).toBe(0);
    // one thousandth of a degree of latitude ≈ 111 m
    expect(distanceMetres({ lat: 47.39, lng: 0.69 }, { lat: 47.391, lng: 0.69 })).toBe(111);
  });
});

describe('routing areas as GeoJSON', () => {
  const area: Array<[number, number]> = [
    [0.6965, 47.384],
    [0.7035, 47.3838],
    [0.704, 47.388],
    [0.697, 47.3885],
  ];
  it('round-trips: closed rings out, open rings in, the same point-in-polygon answers', () => {
    const fc = areasToGeoJson([
      { id: 'r1', areaName: 'Parc du Château', area, category: 'depot-sauvage' },
      { id: 'r2', areaName: null, area: null },
    ]);
    expect(fc.features).toHaveLength(1);
    expect(fc.features[0]!.geometry.coordinates[0]).toHaveLength(5);
    const back = geoJsonToAreas(JSON.parse(JSON.stringify(fc)));
    expect(back).toEqual({
      ok: true,
      areas: [{ name: 'Parc du Château', ruleId: 'r1', category: 'depot-sauvage', department: null, area }],
    });
    if (back.ok) expect(pointInPolygon([0.7, 47.386], back.areas[0]!.area)).toBe(pointInPolygon([0.7, 47.386], area));
  });
  it('refuses what is not a simple polygon, with the feature at fault', () => {
    expect(geoJsonToAreas({})).toEqual({ ok: false, code: 'geojson.empty', index: null });
    expect(geoJsonToAreas({ type: 'Feature', geometry: { type: 'Point', coordinates: [0, 0] } })).toMatchObject({
      ok: false,
      code: 'geojson.not_polygon',
      index: 0,
    });
    expect(
      geoJsonToAreas({
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [0, 0],
            ],
          ],
        },
      }),
    ).toMatchObject({ ok: false, code: 'geojson.ring' });
    expect(
      geoJsonToAreas({
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
            [
              [0, 0],
              [1, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
      }),
    ).toMatchObject({ ok: false, code: 'geojson.holes' });
    expect(
      geoJsonToAreas({
        type: 'Feature',
        geometry: {
          type: 'Polygon',
          coordinates: [
            [
              [0, 0],
              [200, 0],
              [1, 1],
              [0, 0],
            ],
          ],
        },
      }),
    ).toMatchObject({ ok: false, code: 'geojson.point' });
  });
  describe('the import plan (preview, then applied all or nothing)', () => {
    const ctx: AreaImportContext = {
      categories: [
        { id: 'c-dep', code: 'depot-sauvage' },
        { id: 'c-ecl', code: 'eclairage' },
      ],
      departments: [
        { id: 'd-prop', code: 'proprete' },
        { id: 'd-voirie', code: 'voirie' },
      ],
      rules: [
        { id: 'r1', categoryId: 'c-dep', departmentId: 'd-prop', areaName: 'Parc du Château', area },
        { id: 'r2', categoryId: 'c-dep', departmentId: 'd-voirie', areaName: null, area: null },
      ],
    };
    const moved: Array<[number, number]> = [[0.69, 47.38], ...area.slice(1)];
    const feature = (properties: Record<string, unknown>, ring = area) => ({
      type: 'Feature',
      properties,
      geometry: { type: 'Polygon', coordinates: [[...ring, ring[0]]] },
    });
    const fc = (...features: unknown[]) => ({ type: 'FeatureCollection', features });

    it('an export imported again changes nothing', () => {
      const exported = areasToGeoJson([{ id: 'r1', areaName: 'Parc du Château', area, category: 'depot-sauvage', department: 'proprete' }]);
      expect(planAreaImport(JSON.parse(JSON.stringify(exported)), ctx)).toEqual({
        ok: true,
        actions: [{ kind: 'unchanged', index: 0, ruleId: 'r1', categoryId: 'c-dep', departmentId: 'd-prop', areaName: 'Parc du Château' }],
      });
    });
    it('updates a named rule (area, name, department) and creates rules from codes', () => {
      const plan = planAreaImport(
        fc(
          feature({ ruleId: 'r1', name: 'Parc', department: 'voirie' }, moved),
          feature({ name: 'Quartier nord', category: 'eclairage', department: 'voirie' }),
          feature({ ruleId: 'gone-elsewhere', name: 'Bords de Loire', category: 'depot-sauvage', department: 'proprete' }),
          feature({ ruleId: 'r2', name: 'Centre' }),
        ),
        ctx,
      );
      expect(plan).toEqual({
        ok: true,
        actions: [
          {
            kind: 'update',
            index: 0,
            ruleId: 'r1',
            categoryId: 'c-dep',
            departmentId: 'd-voirie',
            areaName: 'Parc',
            area: moved,
            changes: ['area', 'areaName', 'departmentId'],
          },
          { kind: 'create', index: 1, categoryId: 'c-ecl', departmentId: 'd-voirie', areaName: 'Quartier nord', area },
          { kind: 'create', index: 2, categoryId: 'c-dep', departmentId: 'd-prop', areaName: 'Bords de Loire', area },
          {
            kind: 'update',
            index: 3,
            ruleId: 'r2',
            categoryId: 'c-dep',
            departmentId: 'd-voirie',
            areaName: 'Centre',
            area,
            changes: ['area', 'areaName'],
          },
        ],
      });
    });
    it('reports every feature at fault, with its field, and plans nothing', () => {
      const plan = planAreaImport(
        fc(
          feature({ ruleId: 'r1' }),
          feature({ name: 'Sans catégorie', department: 'voirie' }),
          feature({ name: 'Inconnue', category: 'nope', department: 'nulle-part' }),
          feature({ ruleId: 'r1', name: 'Deux fois' }),
          feature({ ruleId: 'r2' }),
          feature({ ruleId: 'r1', category: 'eclairage' }),
          feature({ name: 'Plate', category: 'eclairage', department: 'voirie' }, [
            [0, 0],
            [1, 1],
            [2, 2],
          ]),
        ),
        ctx,
      );
      expect(plan.ok).toBe(false);
      if (plan.ok) return;
      expect(plan.errors).toEqual([
        { index: 1, field: 'features[1].properties.category', code: 'geojson.category_required' },
        { index: 2, field: 'features[2].properties.department', code: 'geojson.unknown_department', params: { code: 'nulle-part' } },
        { index: 2, field: 'features[2].properties.category', code: 'geojson.unknown_category', params: { code: 'nope' } },
        { index: 3, field: 'features[3].properties.ruleId', code: 'geojson.duplicate_rule', params: { ruleId: 'r1' } },
        { index: 4, field: 'features[4].properties.name', code: 'geojson.name_required' },
        { index: 5, field: 'features[5].properties.ruleId', code: 'geojson.duplicate_rule', params: { ruleId: 'r1' } },
        { index: 6, field: 'features[6].geometry', code: 'polygon.flat' },
      ]);
      expect(planAreaImport({ type: 'FeatureCollection', features: [] }, ctx)).toEqual({
        ok: false,
        errors: [{ index: null, field: 'features', code: 'geojson.empty' }],
      });
    });
  });
  it('describes an area in words: centre, extent, surface', () => {
    const d = describeArea(area);
    expect(d.points).toBe(4);
    expect(d.centre).toEqual({ lat: 47.38615, lng: 0.70025 });
    expect(d.widthMetres).toBeGreaterThan(500);
    expect(d.widthMetres).toBeLessThan(600);
    expect(d.hectares).toBeGreaterThan(20);
    expect(d.hectares).toBeLessThan(30);
  });
});
