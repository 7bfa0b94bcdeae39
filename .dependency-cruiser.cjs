/**
 * The layers, as rules on who may import whom (`npm run lint:deps`). A type-only import is erased at compile time,
 * so it never brings I/O along: the workflow and domain rules look at imports that stay in the JavaScript.
 */

/** Packages that talk to the network, a database, the disk or the process environment. */
const IO_PACKAGES = [
  '@koa/',
  '@temporalio/activity',
  '@temporalio/client',
  '@temporalio/testing',
  '@temporalio/worker',
  'argon2',
  'dotenv',
  'ioredis',
  'jsonwebtoken',
  'knex',
  'koa',
  'nodemailer',
  'objection',
  'pg',
  'pino',
  'prom-client',
  'undici',
];
const ioPackagePath = `^node_modules/(${IO_PACKAGES.join('|')})`;

/** Node built-ins that reach outside the process (the pure ones, such as crypto hashing or streams, stay allowed). */
const IO_BUILTINS =
  '^(node:)?(fs|fs/promises|net|http|https|http2|dgram|dns|tls|child_process|cluster|worker_threads|readline|repl)$';

/** Run-time (not type-only) imports: the only ones that load code. */
const RUNTIME = { dependencyTypesNot: ['type-only'] };

module.exports = {
  forbidden: [
    {
      name: 'workflow-imports-workflow-safe-code',
      comment:
        "Workflow code runs in Temporal's deterministic sandbox and is replayed: it may load workflows/, src/domain/, " +
        "a concern's contract and rules/, and the workflow side of the SDK only. Everything else is an activity " +
        '(type-only imports are fine).',
      severity: 'error',
      from: { path: '^workflows/' },
      to: {
        ...RUNTIME,
        pathNot: [
          '^workflows/',
          '^src/domain/',
          '^src/[^/]+/contract\\.ts$',
          '^src/[^/]+/rules/',
          '^src/i18n/message\\.ts$',
          '^node_modules/@temporalio/(workflow|common)/',
        ],
      },
    },
    {
      name: 'workflow-proxies-own-concern',
      comment:
        "A workflow proxies its own concern's activities only (workflows/payouts/ those of activities/payouts/, ...): " +
        "the concern's activity type is all it sees of the worker.",
      severity: 'error',
      from: { path: '^workflows/([^/]+)/' },
      to: { path: '^activities/', pathNot: '^activities/$1/' },
    },
    {
      name: 'domain-does-no-io',
      comment:
        "src/domain/, a concern's rules/ and its contract are pure and unit-tested: no database, no HTTP, no " +
        'Temporal client, no file or socket. They import only pure code and computation-only packages.',
      severity: 'error',
      from: { path: ['^src/domain/', '^src/[^/]+/rules/', '^src/[^/]+/contract\\.ts$'] },
      to: {
        ...RUNTIME,
        path: [
          '^src/(?!domain/|[^/]+/rules/|[^/]+/contract\\.ts$|i18n/message\\.ts$|errors/)',
          '^(activities|workflows|migrations|scripts|temporal|bench|test)/',
          ioPackagePath,
          IO_BUILTINS,
        ],
      },
    },
    {
      name: 'contract-and-rules-know-no-store',
      comment:
        "A concern's contract and rules are what workflows and use-cases share: they never reach for SQL or an " +
        'activity, not even for a type.',
      severity: 'error',
      from: { path: ['^src/[^/]+/rules/', '^src/[^/]+/contract\\.ts$'] },
      to: { path: ['^src/[^/]+/store/', '^activities/'] },
    },
    {
      name: 'store-knows-no-workflow',
      comment: 'SQL runs inside activities and use-cases: it never imports a workflow, not even for a type.',
      severity: 'error',
      from: { path: '^src/[^/]+/store/' },
      to: { path: '^workflows/' },
    },
    {
      name: 'route-imports-no-route',
      comment: 'A route file declares its routes and calls use-cases; what two routes share lives outside routes/.',
      severity: 'error',
      from: { path: '^src/api/routes/([^/]+)$' },
      to: { path: '^src/api/routes/', pathNot: '^src/api/routes/$1$' },
    },
    {
      name: 'production-code-imports-no-test-code',
      comment: 'What ships (src, workflows, activities, migrations) never loads test or bench code.',
      severity: 'error',
      from: { path: '^(src|workflows|activities|migrations)/' },
      to: { path: '^(test|bench)/' },
    },
    {
      name: 'production-code-imports-no-dev-dependency',
      comment:
        'The production image has no devDependencies (npm prune --omit=dev): a run-time import of one would crash it.',
      severity: 'error',
      from: { path: '^(src|workflows|activities|migrations)/' },
      to: { ...RUNTIME, dependencyTypes: ['npm-dev'] },
    },
    {
      name: 'no-circular',
      comment:
        'A cycle makes load order matter (an import seen as undefined) and the layers meaningless. Type-only imports ' +
        'count too: a type cycle is still two concerns that cannot be read, or changed, one without the other.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      comment: 'An import that resolves to nothing fails at run time.',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: ['node_modules'] },
    exclude: { path: ['^mojaloop/node_modules/', '^dist/', '^data/'] },
    // Type-only imports are seen (and marked `type-only`), so the rules above can tell them apart.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.js', '.cjs', '.json', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
