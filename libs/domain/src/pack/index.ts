export * from './schema';
export * from './parse';
export * from './generate';
export * from './routing';
export * from './serialize';
export * from './diff';
export * from './privacy';
