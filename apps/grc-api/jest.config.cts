/** Unit specs (src) and integration specs (test) against the real PostgreSQL and Redis. */
module.exports = {
  displayName: 'grc-api',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', isolatedModules: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // one database for the run, shared by the spec files: run them one after the other on 2 cores
  maxWorkers: 1,
  coverageDirectory: '../../coverage/apps/grc-api',
};
