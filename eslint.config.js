// Type-aware lint plus the import direction of ARCHITECTURE.md:
// spec ← harness ← generators ← suites; reports read harness types only; server stands alone.
// cli/ and api/ are the composition roots: the only places that wire harness, server and reports
// together (cli/ may use api/); proof/ may use server and harness; nothing imports cli/, api/,
// proof/ or test/ but the tests.
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
  { ignores: ['node_modules/', 'dist/', 'kvs-conformance-report/', 'test/artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      globals: globals.node,
      parserOptions: {
        // The shipped JavaScript driver template and the build's .mjs step are outside the TypeScript project.
        projectService: { allowDefaultProject: ['examples/*.mjs', 'scripts/*.mjs'] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', ignoreRestSiblings: true }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-console': 'off',
    },
  },
  // Plain JavaScript (the driver template users copy, the build step): linted without type information.
  { files: ['examples/*.mjs', 'scripts/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    files: ['server/**'],
    rules: forbid(
      ['harness', 'runner', 'generators', 'suites', 'reports', 'test', 'cli', 'proof', 'api'],
      'server/ stands alone: it must not share code (or bugs) with the harness.',
    ),
  },
  {
    files: ['harness/**'],
    rules: forbid(
      ['runner', 'generators', 'suites', 'reports', 'server', 'test', 'cli', 'proof', 'api'],
      'harness/ is a library below generators, suites and reports; only cli/ wires the server and reports in.',
    ),
  },
  {
    // The worker side of a run (what suite files use, inside vitest's workers) never reaches into
    // the main-process side (vitest orchestration, verdicts); the main side reads worker types only.
    files: ['harness/worker/**'],
    rules: forbid(
      ['generators', 'suites', 'reports', 'server', 'test', 'cli', 'proof', 'api', 'runner'],
      'harness/worker/ (the suite side of a run) must not import the main-process side, runner/.',
    ),
  },
  {
    // The main-process side of a run: uses harness/ (and reports/), launches suites/ by path through vitest.
    files: ['runner/**'],
    rules: forbid(
      ['generators', 'suites', 'server', 'test', 'cli', 'proof', 'api'],
      'runner/ uses harness/ and reports/ only; it launches suites/ through vitest, by path.',
    ),
  },
  {
    files: ['cli/**'],
    rules: forbid(['suites', 'test', 'proof'], 'cli/ wires harness/, reports/ and server/ only.'),
  },
  {
    files: ['api/**'],
    rules: forbid(
      ['generators', 'suites', 'test', 'cli', 'proof'],
      'api/ wires harness/, reports/ and server/ only.',
    ),
  },
  {
    files: ['proof/**'],
    rules: forbid(['suites', 'test', 'cli', 'api'], 'proof/ may use server/, harness/ and reports/ only.'),
  },
  {
    files: ['generators/**'],
    rules: forbid(
      ['runner', 'suites', 'reports', 'server', 'test', 'cli', 'proof', 'api'],
      'generators/ may import only harness/.',
    ),
  },
  {
    files: ['suites/**'],
    rules: forbid(
      ['runner', 'reports', 'server', 'test', 'cli', 'proof', 'api'],
      'suites/ talk to targets through harness drivers only.',
    ),
  },
  {
    files: ['reports/**'],
    rules: forbid(
      ['runner', 'generators', 'suites', 'server', 'test', 'cli', 'proof', 'api'],
      'reports/ read harness types only.',
    ),
  },
  {
    // proof/ is used by bench/ (its targets, faults and results writer), never the other way round.
    files: ['proof/**'],
    rules: forbid(
      ['suites', 'test', 'cli', 'api', 'bench'],
      'proof/ may use server/, harness/ and reports/ only; bench/ uses proof/, not the other way round.',
    ),
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
