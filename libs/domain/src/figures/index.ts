export * from './definitions';
export * from './stats';
export * from './facts';
export * from './periods';
export * from './open-data';
export * from './histogram';
