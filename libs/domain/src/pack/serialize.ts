/** serializeTownPack: a TownPack back to its YAML files, e.g. to export a town's configuration. */
import { stringify } from 'yaml';
import { PACK_FILES, type TownPack } from './schema';

export interface SerializeTownPackOptions {
  /** write agents.yaml (default true); a pack shared with another town usually leaves it out */
  includeAgents?: boolean;
  /** keep agents' demo passwords (default false: never export a password) */
  includePasswords?: boolean;
}

/** File name → YAML text; parseTownPack(serializeTownPack(p)) gives p back (passwords aside). */
export function serializeTownPack(pack: TownPack, options: SerializeTownPackOptions = {}): Record<string, string> {
  const { includeAgents = true, includePasswords = false } = options;
  const yaml = (v: unknown): string => stringify(v, { lineWidth: 0, flowCollectionPadding: false });
  const files: Record<string, string> = {
    [PACK_FILES.town]: yaml(pack.town),
    [PACK_FILES.departments]: yaml(pack.departments),
    [PACK_FILES.categories]: yaml(pack.categories),
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
  return files;
}
