export * from './personal-data';
export * from './audit-changes';
export * from './privacy-notice';
export * from './redaction';
export * from './retention';
export * from './anonymise-row';
export * from './erasure';
