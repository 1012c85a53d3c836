/**
 * Browser end-to-end tests of the console: a fresh database, the built app (API + worker + console) on a free port,
 * one headless Chromium for the whole run. `npx nx run grc-web-e2e:e2e` builds grc-api and grc-web first.
 */
module.exports = {
  displayName: 'grc-web-e2e',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  roots: ['<rootDir>/src'],
  testMatch: ['**/*.e2e.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
  },
  moduleFileExtensions: ['ts', 'js'],
  globalSetup: '<rootDir>/src/support/global-setup.ts',
  globalTeardown: '<rootDir>/src/support/global-teardown.ts',
  testTimeout: 60_000,
  maxWorkers: 1,
};
