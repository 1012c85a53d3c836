import type { Agent } from '@grc/domain';

/** Lower case without accents: « Hélène » is found by "helene". */
const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

/** How many agents a picker lists at most; the search narrows the rest (a town may have hundreds of agents). */
export const AGENT_PICKER_MAX = 50;

/**
 * The agents an agent picker offers: active ones of the given departments (null: any), minus `exclude`,
 * matching every word of the search in their name or e-mail, by name, at most AGENT_PICKER_MAX of them
 * (`more` says how many the search leaves out).
 */
export function filterAgents(
  agents: readonly Agent[],
  opts: { departmentIds?: readonly string[] | null; query?: string; exclude?: readonly (string | undefined)[] },
): { agents: Agent[]; more: number } {
  const words = fold(opts.query ?? '')
    .split(/\s+/)
    .filter(Boolean);
  const depts = opts.departmentIds ? new Set(opts.departmentIds) : null;
  const exclude = new Set(opts.exclude ?? []);
  const found = agents
    .filter((a) => a.active !== false && !exclude.has(a.id))
    .filter((a) => !depts || a.departmentIds.some((d) => depts.has(d)))
    .filter((a) => {
      const text = fold(`${a.displayName} ${a.email}`);
      return words.every((w) => text.includes(w));
    })
    .sort((a, b) => a.displayName.localeCompare(b.displayName, 'fr'));
  return { agents: found.slice(0, AGENT_PICKER_MAX), more: Math.max(0, found.length - AGENT_PICKER_MAX) };
}
