export * from './scoring';
export * from './propagation';
