/**
 * The `grc` command line as a town's IT team uses it: the BUILT app (dist/apps/grc-api/main.js, what the
 * image and `npm run grc` run) against an empty database of its own, no browser. `npx nx run grc-api:e2e`
 * builds grc-api first.
 */
module.exports = {
  displayName: 'grc-cli',
  preset: '../../jest.preset.js',
  testEnvironment: 'node',
  roots: ['<rootDir>/cli-e2e'],
  testMatch: ['**/*.cli.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json', isolatedModules: true }] },
  moduleFileExtensions: ['ts', 'js'],
  testTimeout: 180_000,
  maxWorkers: 1,
};
