// ESLint for the whole TypeScript tree, with type information (the rules that catch a promise nobody awaits need
// the types), plus the import restrictions that keep workflow code runnable in Temporal's deterministic sandbox.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Every Node built-in, bare and with the `node:` prefix: none exists in the workflow sandbox. */
const NODE_BUILTINS = builtinModules.flatMap((name) => [name, `node:${name}`]);

/**
 * Packages that do I/O, read the process or belong to the worker/client side of Temporal (regular expressions, a
 * subpath of each included). A workflow asks an activity for all of that; importing one would fail the worker's
 * bundle at start, or worse, run during replay. Type-only imports stay allowed: they are erased before bundling.
 */
const IO_PACKAGES = [
  '@koa/[^/]+',
  '@temporalio/(?:activity|client|testing|worker)',
  'argon2',
  'csv-parse',
  'dotenv',
  'ioredis',
  'jsonwebtoken',
  'knex',
  'koa(?:-[^/]+)?',
  'nodemailer',
  'objection',
  'pg(?:-[^/]+)?',
  'pino(?:-[^/]+)?',
  'prom-client',
  'undici',
];
const IO_PACKAGE_REGEX = `^(?:${IO_PACKAGES.join('|')})(?:/.*)?$`;

/** Our own modules that do I/O or read the environment (paths as written from workflows/). */
const IO_MODULES = [
  '**/activities',
  '**/activities/**',
  '**/src/api/**',
  '**/src/auth/**',
  '**/src/clients/**',
  '**/src/config',
  '**/src/config/**',
  '**/src/db/**',
  '**/src/logging/**',
  '**/src/mail/**',
  '**/src/metrics/**',
  '**/src/models',
  '**/src/models/**',
  '**/src/organizations/**',
  '**/src/reports/**',
  '**/src/worker/**',
];

/** A concern's store and use-cases do I/O; its contract and rules/ (pure) are what its workflows are made of. */
const CONCERN_IO_REGEX = '/src/(?:accounts|payouts|pensions|webhooks)/(?!contract$|rules/)';

export default defineConfig(
  {
    // The Mojaloop peer's rules and node_modules are its own npm project; console/ has its own tooling.
    ignores: ['**/node_modules/**', 'dist/**', 'data/**', 'coverage/**', 'mojaloop/rules/**', 'console/**'],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // A promise nobody awaits loses its error (an unhandled rejection) and, in a workflow, its ordering.
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      // An async function without await is how a promise-returning interface is implemented (stand-ins, in-memory
      // ledgers): `async` also turns a throw into a rejection. Floating and misused promises are what matters.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Type-only imports are erased: this is what lets a workflow name an activity's types without bundling it.
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-import-type-side-effects': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      'object-shorthand': ['error', 'always'],
      'prefer-const': 'error',
    },
  },
  {
    // Tests drive real services and inspect their answers: `any` from supertest bodies and jest matchers is the
    // tested value itself, narrowing each one would only restate the assertion.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Workflow code runs in Temporal's sandbox, replayed from history: no Node built-ins, no I/O.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: NODE_BUILTINS.map((name) => ({
            name,
            message: 'Workflow code cannot use Node built-ins: do it in an activity.',
          })),
          patterns: [
            {
              regex: IO_PACKAGE_REGEX,
              allowTypeImports: true,
              message: 'Workflow code does no I/O: call an activity (type-only imports are fine).',
            },
            {
              regex: CONCERN_IO_REGEX,
              allowTypeImports: true,
              message:
                "Workflow code imports a concern's contract and rules/ only: the rest does I/O (call an activity).",
            },
            {
              group: IO_MODULES,
              allowTypeImports: true,
              message:
                "Workflow code imports only workflows/, src/domain/ and a concern's contract and rules/ (type-only imports are fine).",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['**/*.{js,cjs,mjs}'],
    extends: [js.configs.recommended],
    languageOptions: { globals: globals.node, sourceType: 'commonjs' },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { sourceType: 'module' },
  },
);
