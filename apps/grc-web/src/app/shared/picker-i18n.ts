/** Words of the agent picker (shared/agent-picker.ts): a search box above each list of agents. */
export const PICKER_FR = {
  'picker.searchAgents': 'Chercher un agent (nom ou adresse)',
  'picker.narrow': 'D’autres agents correspondent : précisez la recherche.',
} as const;

export const PICKER_EN: Record<keyof typeof PICKER_FR, string> = {
  'picker.searchAgents': 'Find an agent (name or address)',
  'picker.narrow': 'More agents match: narrow the search.',
};
