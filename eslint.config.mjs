import nx from '@nx/eslint-plugin';

// Frameworks and I/O the pure libraries must never import.
const FRAMEWORKS = ['@nestjs/*', 'typeorm', 'pg', 'bullmq', 'ioredis', '@angular/*', 'rxjs', 'express', 'fs', 'node:*', 'http', 'net'];

export default [
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  ...nx.configs['flat/javascript'],
  {
    ignores: ['**/dist', '**/out-tsc'],
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.js', '**/*.jsx'],
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: true,
          allow: ['^.*/eslint(\\.base)?\\.config\\.[cm]?[jt]s$'],
          // The architecture, enforced: the libs are pure, the console sees only the domain.
          depConstraints: [
            { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain'], bannedExternalImports: FRAMEWORKS },
            { sourceTag: 'type:workflows', onlyDependOnLibsWithTags: ['type:domain', 'type:workflows'], bannedExternalImports: FRAMEWORKS },
            { sourceTag: 'scope:api', onlyDependOnLibsWithTags: ['type:domain', 'type:workflows'] },
            { sourceTag: 'scope:web', onlyDependOnLibsWithTags: ['type:domain', 'type:workflows'] },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.cts', '**/*.mts', '**/*.js', '**/*.jsx', '**/*.cjs', '**/*.mjs'],
    // Non-null assertions are used where an invariant (a checked lookup, a non-empty list) guarantees the value.
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
];
