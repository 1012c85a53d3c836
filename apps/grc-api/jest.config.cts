/** Unit specs (src) and integration specs (test) against the real PostgreSQL and Redis. */
module.exports = {
  displayName: 'grc-api',
  preset: '../../jest.preset.js',
  // each spec file runs on its own copy of the run's template database (test/support/spec-environment.ts)
  testEnvironment: '<rootDir>/test/support/spec-environment.ts',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  // openid-client v6 and its dependencies ship ES modules only: compiled to CommonJS for Jest's module system
  // (Node itself loads them with require, as the built app does)
  transformIgnorePatterns: ['/node_modules/(?!(openid-client|oauth4webapi|jose)/)'],
  transform: {
    '/node_modules/(openid-client|oauth4webapi|jose)/.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs', target: 'es2022', sourceMap: false }, isolatedModules: true },
    ],
    // the Swagger plugin, as in the build (webpack.config.js): the OpenAPI document the fuzz suite walks must be the real one
    '^.+\\.[tj]s$': [
      'ts-jest',
      {
        tsconfig: '<rootDir>/tsconfig.spec.json',
        isolatedModules: false,
        astTransformers: { before: ['<rootDir>/test/support/swagger-transformer.js'] },
      },
    ],
  },
  moduleFileExtensions: ['ts', 'js', 'html'],
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 60_000,
  // spec files own their databases and could run in parallel; the machine has 2 cores shared by many
  maxWorkers: 1,
  coverageDirectory: '../../coverage/apps/grc-api',
};
