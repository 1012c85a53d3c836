/** serializeTownPack: a TownPack back to its YAML files, e.g. to export a town's configuration. */
import { stringify } from 'yaml';
import { PACK_FILES, type TownPack } from './schema';

export interface SerializeTownPackOptions {
  /** write agents.yaml (default true); a pack shared with another town usually leaves it out */
  includeAgents?: boolean;
  /** keep agents' demo passwords (default false: never export a password) */
  includePasswords?: boolean;
}

/** One YAML text, the same for the same value (no date, no line folding): exports compare byte for byte. */
export const packYaml = (v: unknown): string => stringify(v, { lineWidth: 0, flowCollectionPadding: false });

/** File name → YAML text; parseTownPack(serializeTownPack(p)) gives p back (passwords aside). */
export function serializeTownPack(pack: TownPack, options: SerializeTownPackOptions = {}): Record<string, string> {
  const { includeAgents = true, includePasswords = false } = options;
  const yaml = packYaml;
  const files: Record<string, string> = {
    [PACK_FILES.town]: yaml(pack.town),
    [PACK_FILES.departments]: yaml(pack.departments),
    [PACK_FILES.categories]: yaml(
      pack.categories.map(({ fields, ...c }) =>
        fields && fields.length
          ? {
              ...c,
              // what the schema defaults (no English label, no range, no choices) is left out
              fields: fields.map(({ descriptionEn, min, max, values, ...f }) => ({
                ...f,
                ...(descriptionEn ? { descriptionEn } : {}),
                ...(values.length ? { values } : {}),
                ...(min !== null ? { min } : {}),
                ...(max !== null ? { max } : {}),
              })),
            }
          : c,
      ),
    ),
    [PACK_FILES.routing]: yaml(
      pack.routing.map((r) => ({
        category: r.category,
        department: r.department,
        ...(r.area ? { areaName: r.areaName, area: r.area } : {}),
        position: r.position,
      })),
    ),
  };
  if (includeAgents) {
    files[PACK_FILES.agents] = yaml(
      pack.agents.map(({ password, ...a }) => (includePasswords && password !== undefined ? { ...a, password } : a)),
    );
  }
  if (pack.demo) files[PACK_FILES.demoTickets] = yaml(pack.demo);
  if (pack.sla) {
    files[PACK_FILES.sla] = yaml({
      calendars: pack.sla.calendars.map(({ department, ...c }) => ({
        name: c.name,
        ...(department ? { department } : {}),
        timeZone: c.timeZone,
        weeklyHours: c.weeklyHours,
        ...(c.closures ? { closures: c.closures } : {}),
        ...(c.holidays ? { holidays: c.holidays } : {}),
      })),
      policies: pack.sla.policies.map((p) => ({
        id: p.id,
        name: p.name,
        active: p.active,
        match: p.match,
        targets: p.targets,
        ladder: p.ladder,
      })),
    });
  }
  if (pack.retention) {
    files[PACK_FILES.retention] = yaml({
      ...(pack.retention.default ? { default: pack.retention.default } : {}),
      categories: pack.retention.categories,
    });
  }
  if (pack.templates) files[PACK_FILES.templates] = yaml({ mail: pack.templates.mail, replies: pack.templates.replies });
  if (pack.privacy) {
    const p = pack.privacy;
    const set = <T extends Record<string, string | null>>(o: T) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== null));
    files[PACK_FILES.privacy] = yaml({
      controller: set(p.controller),
      ...(p.dpo.name || p.dpo.email || p.dpo.address ? { dpo: set(p.dpo) } : {}),
      purposes: p.purposes,
      legalBasis: p.legalBasis,
      authority: p.authority,
    });
  }
  return files;
}
