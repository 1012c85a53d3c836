/**
 * The console's unit tests (component tests with Angular's TestBed and CDK harnesses), in jsdom, zoneless
 * like the app. `npx jest -c apps/grc-web/jest.config.cts` or `npx nx test grc-web`.
 */
const { createCjsPreset } = require('jest-preset-angular/presets');

module.exports = {
  displayName: 'grc-web',
  ...createCjsPreset({ tsconfig: '<rootDir>/tsconfig.spec.json' }),
  // ES-module-only packages (Angular ships .mjs, which the preset already transforms)
  transformIgnorePatterns: ['node_modules/(?!(.*\\.mjs$|@jsverse/))'],
  setupFilesAfterEnv: ['<rootDir>/src/test-setup.ts'],
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.spec.ts'],
  moduleNameMapper: {
    '^@grc/domain$': '<rootDir>/../../libs/domain/src/index.ts',
    '^@grc/workflows$': '<rootDir>/../../libs/workflows/src/index.ts',
  },
  // the first TestBed compile of a page takes seconds on a loaded machine
  testTimeout: 30_000,
  coverageDirectory: '../../coverage/apps/grc-web',
};
