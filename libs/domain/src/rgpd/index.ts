export * from './personal-data';
export * from './redaction';
export * from './retention';
export * from './anonymise-row';
