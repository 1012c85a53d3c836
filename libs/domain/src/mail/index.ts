export * from './headers';
export * from './threading';
export * from './automatic';
export * from './template';
