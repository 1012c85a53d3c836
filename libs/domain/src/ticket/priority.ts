export const PRIORITIES = ['low', 'normal', 'high', 'urgent'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Higher is more urgent; stored as a smallint so the inbox can sort and paginate on it. */
export const priorityRank = (p: Priority): number => PRIORITIES.indexOf(p);
export const priorityFromRank = (rank: number): Priority => {
  const p = PRIORITIES[rank];
  if (!p) throw new RangeError(`unknown priority rank ${rank}`);
  return p;
};
export const isPriority = (v: unknown): v is Priority => (PRIORITIES as readonly unknown[]).includes(v);
