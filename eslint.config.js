// Type-aware lint plus the import direction of ARCHITECTURE.md:
// spec ← harness ← generators ← suites; reports read harness types only; server stands alone.
// harness/cli is the composition root: the only place that wires the server and the reports in.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** @param {string[]} folders @param {string} why */
const forbid = (folders, why) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: folders.map((folder) => ({
        regex: `(^|/)${folder}(/|$)`,
        message: why,
      })),
    },
  ],
});

export default tseslint.config(
  { ignores: ['node_modules/', 'kvs-conformance-report/', 'test/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['server/**'],
    rules: forbid(
      ['harness', 'generators', 'suites', 'reports', 'test'],
      'server/ stands alone: it must not share code (or bugs) with the harness.',
    ),
  },
  {
    files: ['harness/**'],
    ignores: ['harness/cli/**'],
    rules: forbid(
      ['generators', 'suites', 'reports', 'server', 'test'],
      'harness/ sits below generators, suites and reports; only harness/cli wires the server and reports in.',
    ),
  },
  {
    files: ['generators/**'],
    rules: forbid(['suites', 'reports', 'server', 'test'], 'generators/ may import only harness/.'),
  },
  {
    files: ['suites/**'],
    rules: forbid(['reports', 'server', 'test'], 'suites/ talk to targets through harness drivers only.'),
  },
  {
    files: ['reports/**'],
    rules: forbid(['generators', 'suites', 'server', 'test'], 'reports/ read harness types only.'),
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'commonjs',
      globals: globals.node,
    },
    rules: { ...tseslint.configs.disableTypeChecked.rules, '@typescript-eslint/no-require-imports': 'off' },
  },
);
