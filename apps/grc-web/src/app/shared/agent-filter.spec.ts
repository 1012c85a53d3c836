import type { Agent } from '@grc/domain';
import { AGENT_PICKER_MAX, filterAgents } from './agent-filter';

const agent = (id: string, displayName: string, departmentIds: string[], active = true): Agent => ({
  id,
  email: `${id}@saint-aubin.fr`,
  displayName,
  role: 'agent',
  locale: 'fr',
  active,
  departmentIds,
  version: 1,
});
const town = [
  agent('helene', 'Hélène Marchand', ['dgs']),
  agent('karim', 'Karim Benali', ['voirie', 'eclairage']),
  agent('julie', 'Julie Lefebvre', ['voirie']),
  agent('ancien', 'Ancien Agent', ['voirie'], false),
  ...Array.from({ length: 120 }, (_, i) => agent(`a${i}`, `Agent ${String(i).padStart(3, '0')}`, ['proprete'])),
];

describe('filterAgents (agent pickers)', () => {
  it("offers the department's active agents only, by name", () => {
    expect(filterAgents(town, { departmentIds: ['voirie'] }).agents.map((a) => a.id)).toEqual(['julie', 'karim']);
  });
  it('finds by any word of the name or e-mail, without accents, and leaves out the excluded', () => {
    expect(filterAgents(town, { query: 'helene' }).agents.map((a) => a.id)).toEqual(['helene']);
    expect(filterAgents(town, { query: 'BENALI kar' }).agents.map((a) => a.id)).toEqual(['karim']);
    expect(filterAgents(town, { departmentIds: ['voirie'], exclude: ['julie'] }).agents.map((a) => a.id)).toEqual(['karim']);
  });
  it('lists a bounded number and says how many the search leaves out', () => {
    const all = filterAgents(town, { departmentIds: ['proprete'] });
    expect(all.agents).toHaveLength(AGENT_PICKER_MAX);
    expect(all.more).toBe(120 - AGENT_PICKER_MAX);
    expect(filterAgents(town, { departmentIds: ['proprete'], query: '11' }).agents.map((a) => a.displayName)).toEqual([
      'Agent 011',
      'Agent 110',
      'Agent 111',
      'Agent 112',
      'Agent 113',
      'Agent 114',
      'Agent 115',
      'Agent 116',
      'Agent 117',
      'Agent 118',
      'Agent 119',
    ]);
  });
});
