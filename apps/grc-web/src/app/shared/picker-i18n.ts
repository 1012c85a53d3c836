/** Words of the agent pickers (shared/agent-filter.ts): a search box above each list of agents. */
export const PICKER_FR = {
  'picker.searchAgents': 'Chercher un agent (nom ou adresse)',
  'picker.more':
    '{count, plural, one {# autre agent correspond : précisez la recherche.} other {# autres agents correspondent : précisez la recherche.}}',
} as const;

export const PICKER_EN: Record<keyof typeof PICKER_FR, string> = {
  'picker.searchAgents': 'Find an agent (name or address)',
  'picker.more': '{count, plural, one {# more agent matches: narrow the search.} other {# more agents match: narrow the search.}}',
};
