/**
 * The configurable validation-workflow engine (definitions as data, "state + action + actor →
 * new state + effects") lands here with the workflows issue. It may import only @grc/domain.
 */
export {};
