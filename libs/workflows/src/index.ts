/**
 * @grc/workflows — configurable validation circuits: definitions as versioned data, static
 * validation before publishing, and a pure engine (state + action + actor → new state + effects).
 */
export * from './definition/schema';
export * from './definition/analyse';
export * from './engine/actors';
export * from './engine/state';
export * from './engine/conditions';
export * from './engine/apply';
export * from './engine/replay';
export * from './versioning';
export * from './examples/demo-town';
export * from './editor/editor-model';
export * from './editor/circuit-graph';
export * from './editor/dry-run';
