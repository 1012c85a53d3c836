export * from './lib/workflows';
