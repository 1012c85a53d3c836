/**
 * The Base Adresse Nationale's CSV format (`adresses-<département>.csv`, `;`-separated, one line per
 * address): the columns the GRC reads and the check of one line. The whole format has more columns
 * (x, y in Lambert-93, type_position, alias, nom_afnor, cad_parcelles…); they are ignored.
 */
export const BAN_REQUIRED_COLUMNS = ['id', 'numero', 'nom_voie', 'code_postal', 'code_insee', 'nom_commune', 'lon', 'lat'] as const;
export const BAN_COLUMNS = [
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
] as const;

export interface BanAddress {
  /** the BAN's stable key (cle_interop), e.g. 37999_0450_00012_bis */
  id: string;
  fantoir: string | null;
  number: number;
  rep: string | null;
  street: string;
  postcode: string;
  insee: string;
  commune: string;
  lon: number;
  lat: number;
}

export type BanLineResult = { ok: true; address: BanAddress } | { ok: false; field: string; code: string };

const text = (v: unknown): string => (typeof v === 'string' ? v.trim() : '');
const num = (v: unknown): number => {
  const s = text(v);
  return s === '' ? NaN : Number(s);
};

/** Checks one line (a record keyed by column name); the first field at fault otherwise. */
export function readBanLine(r: Readonly<Record<string, unknown>>): BanLineResult {
  const id = text(r['id']);
  if (!/^[0-9A-Za-z_-]{1,100}$/.test(id)) return { ok: false, field: 'id', code: 'ban.id' };
  const number = num(r['numero']);
  // 99999: the BAN's "lieu-dit" pseudo-number, a place without a house number
  if (!Number.isInteger(number) || number < 0 || number > 99999) return { ok: false, field: 'numero', code: 'ban.numero' };
  const rep = text(r['rep']).toLowerCase();
  if (rep.length > 20) return { ok: false, field: 'rep', code: 'ban.rep' };
  const street = text(r['nom_voie']);
  if (!street || street.length > 200) return { ok: false, field: 'nom_voie', code: 'ban.nom_voie' };
  const postcode = text(r['code_postal']);
  if (!/^\d{5}$/.test(postcode)) return { ok: false, field: 'code_postal', code: 'ban.code_postal' };
  const insee = text(r['code_insee']);
  if (!/^[0-9][0-9AB][0-9]{3}$/.test(insee)) return { ok: false, field: 'code_insee', code: 'ban.code_insee' };
  const commune = text(r['nom_commune']);
  if (!commune || commune.length > 200) return { ok: false, field: 'nom_commune', code: 'ban.nom_commune' };
  const lon = num(r['lon']);
  if (!Number.isFinite(lon) || lon < -180 || lon > 180) return { ok: false, field: 'lon', code: 'ban.lon' };
  const lat = num(r['lat']);
  if (!Number.isFinite(lat) || lat < -90 || lat > 90) return { ok: false, field: 'lat', code: 'ban.lat' };
  const fantoir = text(r['id_fantoir']);
  return {
    ok: true,
    address: { id, fantoir: fantoir ? fantoir.slice(0, 20) : null, number, rep: rep || null, street, postcode, insee, commune, lon, lat },
  };
}
