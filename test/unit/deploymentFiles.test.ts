/** docker-compose.yml cannot run here (no Docker engine), so what can be checked statically is checked. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CONFIG_VARIABLES } from '../../src/config';

const root = path.resolve(__dirname, '../..');

interface ComposeService {
  image?: string;
  build?: unknown;
  command?: string[];
  environment?: Record<string, unknown>;
  ports?: string[];
  depends_on?: Record<string, unknown> | string[];
}

const compose = parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as {
  services: Record<string, ComposeService>;
};

describe('docker-compose.yml', () => {
  it('has the production-like topology', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'temporal-ui', 'migrate', 'api', 'worker', 'scheme-adapter', 'redis', 'testing-toolkit']),
    );
    expect(compose.services.api.build).toBeDefined();
    expect(compose.services.worker.build).toBeDefined();
    expect(compose.services.api.command).toEqual(['node', 'dist/src/api/server.js']);
    expect(compose.services.worker.command).toEqual(['node', 'dist/src/worker/main.js']);
    expect(compose.services.migrate.command).toEqual(['node', 'dist/src/db/migrate.js']);
  });

  it('gives the API and the worker only variables the config module reads, and the ones production needs', () => {
    for (const name of ['api', 'worker']) {
      const environment = compose.services[name].environment ?? {};
      for (const variable of Object.keys(environment)) expect(CONFIG_VARIABLES).toContain(variable);
      expect(environment).toMatchObject({ NODE_ENV: 'production', TEMPORAL_ADDRESS: 'temporal:7233', SCHEME_ADAPTER_URL: 'http://scheme-adapter:4001' });
      expect(String(environment.SECRET_KEY)).toMatch(/^\$\{SECRET_KEY:\?/); // no default secret
    }
  });

  it('publishes the API, the Temporal frontend and its Web UI', () => {
    expect(compose.services.api.ports).toContain('8000:8000');
    expect(compose.services.temporal.ports).toContain('7233:7233');
    expect(compose.services['temporal-ui'].ports).toContain('8080:8080');
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
});
