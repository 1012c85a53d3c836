export * from './personal-data';
export * from './audit-changes';
