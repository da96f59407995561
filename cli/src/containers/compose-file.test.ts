import Ajv from 'ajv';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { parseDockerfile } from './dockerfile';
import { composeSpecSchemaPath, readRepoFile } from './repo-files';

type Json = Record<string, unknown>;

function compileComposeSpec(): ValidateFunction {
  const schema = JSON.parse(readFileSync(composeSpecSchemaPath(), 'utf8')) as Json;
  // The spec declares draft-07 by an https URI that Ajv does not know by that name; it is Ajv's default draft.
  delete schema.$schema;
  return new Ajv({ allErrors: true, strict: false }).compile(schema);
}

function describeErrors(errors: readonly ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`)
    .join('\n');
}

const validate = compileComposeSpec();
const compose = parse(readRepoFile('docker-compose.yml')) as Json;
const services = compose.services as Record<string, Json>;
const service = (name: string): Json => {
  const s = services[name];
  if (s === undefined) throw new Error(`docker-compose.yml has no service ${name}`);
  return s;
};
const healthcheckCommand = (name: string): string => {
  const test = (service(name).healthcheck as Json | undefined)?.test;
  return Array.isArray(test) ? test.join(' ') : String(test);
};

describe('docker-compose.yml', () => {
  it('validates against the pinned Compose Specification schema', () => {
    const valid = validate(compose);
    expect(describeErrors(validate.errors)).toBe('');
    expect(valid).toBe(true);
  });

  it('is rejected by the same validator when a field is wrong (the schema check is live)', () => {
    const broken = structuredClone(compose);
    ((broken.services as Record<string, Json>).app!.depends_on as Json).graphite = { condition: 'service_up' };
    expect(validate(broken)).toBe(false);
    expect(describeErrors(validate.errors)).toContain('/services/app/depends_on');
  });

  it('follows the current spec: no top-level version key', () => {
    expect(Object.keys(compose)).not.toContain('version');
  });

  it('runs the app from the development target with its sources mounted, talking to graphite', () => {
    const app = service('app');
    expect(app.build).toMatchObject({ context: '.', target: 'development' });
    expect(app.volumes).toContainEqual(expect.objectContaining({ type: 'bind', source: './app/src', read_only: true }));
    expect(app.environment).toMatchObject({ METRICS_BACKEND_HOST: 'graphite', HTTP_PORT: '8080' });
    expect(app.depends_on).toEqual({ graphite: { condition: 'service_healthy' } });
  });

  it('runs graphite-statsd pinned to a version tag with statsd, carbon and the web UI published', () => {
    const graphite = service('graphite');
    expect(graphite.image).toMatch(/^graphiteapp\/graphite-statsd:\d+\.\d+\.\d+-\d+$/);
    const ports = (graphite.ports as string[]).join(' ');
    for (const containerPort of [':80', ':2003', ':8125/udp', ':8126']) expect(ports).toContain(containerPort);
  });

  it('keeps whisper data in a named volume at the image path', () => {
    expect(service('graphite').volumes).toContain('whisper:/opt/graphite/storage');
    expect(Object.keys(compose.volumes as Json)).toContain('whisper');
  });

  it('has healthchecks that probe each container on its own ports', () => {
    expect(healthcheckCommand('app')).toContain('http://127.0.0.1:8080/healthz');
    expect(healthcheckCommand('graphite')).toContain('http://127.0.0.1:80/');
    expect(healthcheckCommand('graphite')).toContain("('127.0.0.1', 8126)");
  });

  it('offers the unit tests as the `test` profile, built from the test target', () => {
    const test = service('test');
    expect(test.profiles).toEqual(['test']);
    expect(test.build).toMatchObject({ target: 'test' });
  });

  it('builds only targets that the Dockerfile defines', () => {
    const stages = new Set(parseDockerfile(readRepoFile('Dockerfile')).map((s) => s.name));
    for (const [name, s] of Object.entries(services)) {
      const target = (s.build as Json | undefined)?.target;
      if (target !== undefined)
        expect({ name, target, defined: stages.has(String(target)) }).toEqual({ name, target, defined: true });
    }
  });
});
