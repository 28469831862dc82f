// Type-aware lint plus the import direction of ARCHITECTURE.md, one rule per folder:
// spec ← harness ← generators ← suites; runner uses harness and reports (and launches suites
// through vitest, by path); api/ and cli/ wire runner, reports and server; reports read harness
// types only; server stands alone; proof may use server, harness and reports; bench may use all
// and is used by none; scripts use anything but bench and test; examples use only the package.
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

/** Every top-level code folder. */
const FOLDERS = [
  'harness',
  'runner',
  'generators',
  'suites',
  'reports',
  'api',
  'cli',
  'server',
  'proof',
  'bench',
  'scripts',
  'test',
  'examples',
];

/** @param {string[]} allowed @returns {string[]} every folder but these */
const allBut = (...allowed) => FOLDERS.filter((folder) => !allowed.includes(folder));

/**
 * Each folder and what it must not import (a folder may always import itself). One entry per
 * folder: flat config takes a rule from the last block that matches a file, so one block each.
 * @type {Record<string, { forbidden: string[], why: string }>}
 */
const IMPORT_DIRECTION = {
  server: {
    forbidden: allBut('server'),
    why: 'server/ stands alone: it must not share code (or bugs) with the harness.',
  },
  // harness/worker/ (the suite side of a run, inside vitest's workers) included: it never reaches
  // into the main-process side, runner/.
  harness: {
    forbidden: allBut('harness'),
    why: 'harness/ is the library below everything else (harness/worker/ never imports runner/); api/ and cli/ wire the rest in.',
  },
  generators: {
    forbidden: allBut('generators', 'harness'),
    why: 'generators/ may import only harness/.',
  },
  suites: {
    forbidden: allBut('suites', 'harness', 'generators'),
    why: 'suites/ talk to targets through harness drivers only.',
  },
  runner: {
    forbidden: allBut('runner', 'harness', 'reports'),
    why: 'runner/ uses harness/ and reports/ only; it launches suites/ through vitest, by path, and gets the embedded server as a hook.',
  },
  reports: {
    forbidden: allBut('reports', 'harness'),
    why: 'reports/ read harness types only.',
  },
  api: {
    forbidden: allBut('api', 'harness', 'runner', 'reports', 'server'),
    why: 'api/ wires runner/, reports/ and server/ only.',
  },
  cli: {
    forbidden: allBut('cli', 'api', 'harness', 'runner', 'reports', 'server'),
    why: 'cli/ wires runner/, reports/ and server/ (and may use api/) only.',
  },
  proof: {
    forbidden: allBut('proof', 'server', 'harness', 'reports'),
    why: 'proof/ may use server/, harness/ and reports/ only (it runs conformance through the built CLI); bench/ uses proof/, not the other way round.',
  },
  bench: { forbidden: [], why: 'bench/ may use everything.' },
  scripts: {
    forbidden: ['bench', 'test'],
    why: 'scripts/ are repository tools: they use the code, never a benchmark or a test helper.',
  },
  test: { forbidden: ['bench'], why: 'bench/ is used by none: a test does not depend on a benchmark.' },
  examples: {
    forbidden: allBut('examples'),
    why: "examples/ are what users copy: they import only the package's public API ('kvs-conformance').",
  },
};

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
  ...Object.entries(IMPORT_DIRECTION).map(([folder, { forbidden, why }]) => ({
    files: [`${folder}/**`],
    rules: forbid(forbidden, why),
  })),
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
