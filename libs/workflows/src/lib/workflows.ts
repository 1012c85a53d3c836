export function workflows(): string {
  return 'workflows';
}
