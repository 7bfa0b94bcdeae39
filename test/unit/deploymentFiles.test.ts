/** docker-compose.yml cannot run here (no Docker engine), so what can be checked statically is checked. */
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../src/config';
import { DYNAMIC_CONFIG } from '../../temporal/dynamicConfig';

const root = path.resolve(__dirname, '../..');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
  ports?: string[];
  expose?: string[];
  networks?: string[] | Record<string, unknown>;
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
  networks?: Record<string, { internal?: boolean } | null>;
};

/** The compose file's service of that name; a missing one fails the test that needs it, by name. */
function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service ${name}`);
  return found;
}

function networksOf(of: ComposeService): string[] {
  if (of.networks === undefined) return ['default'];
  return Array.isArray(of.networks) ? of.networks : Object.keys(of.networks);
}

describe('docker-compose.yml', () => {
  it('has the production-like topology', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining([
        'postgres',
        'temporal',
        'temporal-ui',
        'migrate',
        'api',
        'worker',
        'scheme-adapter',
        'redis',
        'testing-toolkit',
      ]),
    );
    expect(service('api').build).toBeDefined();
    expect(service('worker').build).toBeDefined();
    expect(service('api').command).toEqual(['node', 'dist/src/api/server.js']);
    expect(service('worker').command).toEqual(['node', 'dist/src/worker/main.js']);
    expect(service('migrate').command).toEqual(['node', 'dist/src/db/migrate.js']);
  });

  it('gives the API and the worker only variables the config module reads, and the ones production needs', () => {
    for (const name of ['api', 'worker']) {
      const environment = service(name).environment ?? {};
      for (const variable of Object.keys(environment)) expect(CONFIG_VARIABLES).toContain(variable);
      expect(environment).toMatchObject({
        NODE_ENV: 'production',
        TEMPORAL_ADDRESS: 'temporal:7233',
        SCHEME_ADAPTER_URL: 'http://scheme-adapter:4001',
      });
      expect(String(environment.SECRET_KEY)).toMatch(/^\$\{SECRET_KEY:\?/); // no default secret
      // Production refuses to start without it (/metrics is on the API's public port): no default either.
      expect(String(environment.METRICS_TOKEN)).toMatch(/^\$\{METRICS_TOKEN:\?/);
    }
  });

  it('runs the toolkit with our payee rules, applied by the same script as the local peer', () => {
    const toolkit = compose.services['testing-toolkit'] as ComposeService & { volumes?: string[] };
    expect(toolkit.volumes).toContain('./mojaloop/rules:/opt/app/pension-gateway-rules:ro');
    expect(toolkit.command?.join(' ')).toContain(
      'node /opt/app/pension-gateway-rules/apply-rules.cjs /opt/app/spec_files http://scheme-adapter:4000',
    );
  });

  it("runs the Temporal server with the gateway's dynamic config, the same as the dev server's", () => {
    const temporal = service('temporal') as ComposeService & { volumes?: string[] };
    expect(temporal.environment?.DYNAMIC_CONFIG_FILE_PATH).toBe('config/dynamicconfig/production.yaml');
    expect(temporal.volumes).toContain(
      './temporal/dynamicconfig/production.yaml:/etc/temporal/config/dynamicconfig/production.yaml:ro',
    );
    const file = parse(readFileSync(path.join(root, 'temporal/dynamicconfig/production.yaml'), 'utf8')) as Record<
      string,
      Array<{ value: unknown }>
    >;
    const values = Object.fromEntries(Object.entries(file).map(([key, entries]) => [key, entries[0]?.value]));
    expect(values).toEqual(DYNAMIC_CONFIG);
  });

  it('publishes the API, and the Web UI on its own port for an authenticating proxy on the host', () => {
    expect(service('api').ports).toContain('8000:8000');
    expect(service('temporal-ui').ports).toEqual(['127.0.0.1:8080:8080']);
  });

  it('keeps the Temporal frontend on an internal network, never published to the host', () => {
    const temporal = service('temporal');
    expect(temporal.ports ?? []).toEqual([]);
    expect(networksOf(temporal)).toEqual(['temporal']);
    expect(compose.networks?.temporal?.internal).toBe(true);
    // No published port of any service forwards to 7233.
    for (const each of Object.values(compose.services)) {
      for (const port of each.ports ?? []) expect(port).not.toMatch(/(^|:)7233$/);
    }
    // What must reach the frontend is on that network.
    for (const name of ['api', 'worker', 'temporal-ui', 'temporal-setup'])
      expect(networksOf(service(name))).toContain('temporal');
    expect(networksOf(service('postgres'))).toContain('temporal');
  });
});

describe('.env.example', () => {
  it('documents every variable the service reads', () => {
    const documented = readFileSync(path.join(root, '.env.example'), 'utf8')
      .split('\n')
      .map((line) => /^([A-Z0-9_]+)=/.exec(line)?.[1])
      .filter((name): name is string => Boolean(name));
    expect([...documented].sort()).toEqual([...CONFIG_VARIABLES].sort());
  });

  const example = readFileSync(path.join(root, '.env.example'), 'utf8');

  it('names every variable the scripts, the peer, the tests and the bench read', () => {
    const read = variablesReadOutsideTheService();
    expect(read.length).toBeGreaterThan(20); // the scan itself works
    const unnamed = read.filter((name) => !new RegExp(`\\b${name}\\b`).test(example));
    expect(unnamed).toEqual([]);
  });

  it('lists no tool variable that nothing reads', () => {
    const listed = example
      .split('\n')
      .map((line) => /^# ([A-Z][A-Z0-9_]*)=/.exec(line)?.[1])
      .filter((name): name is string => Boolean(name));
    expect(listed.length).toBeGreaterThan(0);
    const read = new Set(variablesReadOutsideTheService());
    expect(listed.filter((name) => !read.has(name))).toEqual([]);
  });
});

/** Names read through process.env (or a helper given the name) by the code around the service, not src/config. */
function variablesReadOutsideTheService(): string[] {
  const patterns = [
    /process\.env\.([A-Z][A-Z0-9_]*)/g,
    /process\.env\[['"]([A-Z][A-Z0-9_]*)['"]\]/g,
    /(?:numberFromEnv|required)\('([A-Z][A-Z0-9_]*)'\)/g,
  ];
  const names = new Set<string>();
  for (const file of sourceFilesUnder(['scripts', 'mojaloop', 'temporal', 'test', 'bench'])) {
    const text = readFileSync(file, 'utf8');
    for (const pattern of patterns) for (const match of text.matchAll(pattern)) names.add(match[1]!);
  }
  return [...names].sort();
}

function sourceFilesUnder(folders: readonly string[]): string[] {
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (entry.name === 'node_modules') continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (/\.(ts|mts|cjs|mjs|js)$/.test(entry.name)) files.push(full);
    }
  };
  for (const folder of folders) walk(path.join(root, folder));
  return files;
}

describe('mojaloop/rules/apply-rules.cjs', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { applyRules } = require('../../mojaloop/rules/apply-rules.cjs') as {
    applyRules: (specDir: string, settings: { adapterInboundUrl: string; apiPort?: number }) => void;
  };
  let specDir: string;
  const readJson = (file: string): unknown => JSON.parse(readFileSync(path.join(specDir, file), 'utf8'));

  beforeEach(() => {
    // The shape of the toolkit's shipped spec_files, reduced to what the script reads.
    specDir = mkdtempSync(path.join(os.tmpdir(), 'spec-files-'));
    mkdirSync(path.join(specDir, 'rules_validation'));
    mkdirSync(path.join(specDir, 'rules_callback'));
    writeFileSync(
      path.join(specDir, 'rules_callback', 'default.json'),
      JSON.stringify([{ ruleId: 1 }, { ruleId: 101 }, { ruleId: 119 }, { ruleId: 120 }]),
    );
    writeFileSync(path.join(specDir, 'system_config.json'), JSON.stringify({ API_PORT: 4040, KEEP: 'me' }));
    writeFileSync(
      path.join(specDir, 'user_config.json'),
      JSON.stringify({ CALLBACK_ENDPOINT: 'http://elsewhere', FSPID: 'testingtoolkitdfsp' }),
    );
  });
  afterEach(() => rmSync(specDir, { recursive: true, force: true }));

  it('activates our rules, keeps the generic callbacks 101-119 behind them and points callbacks at the adapter', () => {
    applyRules(specDir, { adapterInboundUrl: 'http://scheme-adapter:4000', apiPort: 4141 });

    const ours = JSON.parse(
      readFileSync(path.join(root, 'mojaloop/rules/rules_callback/pension-gateway.json'), 'utf8'),
    ) as unknown[];
    const callbacks = readJson('rules_callback/pension-gateway.json') as Array<{ ruleId: number }>;
    expect(callbacks).toHaveLength(ours.length + 2);
    expect(callbacks.slice(-2).map((rule) => rule.ruleId)).toEqual([101, 119]);
    expect(readJson('rules_callback/config.json')).toEqual({ activeRulesFile: 'pension-gateway.json' });
    expect(readJson('rules_validation/config.json')).toEqual({ activeRulesFile: 'pension-gateway.json' });
    expect(readJson('system_config.json')).toMatchObject({
      API_PORT: 4141,
      KEEP: 'me',
      INIT_CONFIG: expect.any(Object),
    });
    expect(readJson('user_config.json')).toMatchObject({
      CALLBACK_ENDPOINT: 'http://scheme-adapter:4000',
      FSPID: 'switch',
    });
  });

  it('leaves the toolkit port alone when none is given (the container keeps its own)', () => {
    applyRules(specDir, { adapterInboundUrl: 'http://scheme-adapter:4000' });
    expect(readJson('system_config.json')).toMatchObject({ API_PORT: 4040 });
  });
});
