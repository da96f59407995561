import { APP_UID } from '@metrics-platform/cdk8s/lib/constructs/metrics-app';
import { parseDockerfile } from './dockerfile';
import type { DockerfileStage } from './dockerfile';
import { readRepoFile } from './repo-files';

const text = readRepoFile('Dockerfile');
const stages = parseDockerfile(text);
const stage = (name: string): DockerfileStage => {
  const s = stages.find((x) => x.name === name);
  if (s === undefined) throw new Error(`Dockerfile has no stage ${name}`);
  return s;
};
const args = (s: DockerfileStage, keyword: string): string[] =>
  s.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('parseDockerfile', () => {
  it('joins continuations, drops comments and splits stages', () => {
    const parsed = parseDockerfile('# c\nFROM a:1 AS one\nRUN x \\\n  # inside\n  && y\n\nFROM one\nCMD ["z"]\n');
    expect(parsed).toEqual([
      { from: 'a:1', name: 'one', instructions: [{ keyword: 'RUN', args: 'x && y' }] },
      { from: 'one', instructions: [{ keyword: 'CMD', args: '["z"]' }] },
    ]);
  });
});

describe('Dockerfile', () => {
  it('defines the test, development and production targets', () => {
    expect(stages.map((s) => s.name)).toEqual(expect.arrayContaining(['test', 'development', 'production']));
  });

  it('builds from the Node 24 slim image pinned by tag (the CI stand-in is tagged the same)', () => {
    const external = stages.map((s) => s.from).filter((f) => !stages.some((s) => s.name === f));
    expect(new Set(external)).toEqual(new Set(['node:24-bookworm-slim']));
  });

  it('stays buildable by the legacy builder: no RUN --mount, heredocs or syntax directive', () => {
    expect(text).not.toMatch(/^\s*#\s*syntax\s*=/im);
    const runs = stages.flatMap((s) => args(s, 'RUN'));
    expect(runs.filter((r) => r.startsWith('--'))).toEqual([]);
    expect(runs.filter((r) => /<<-?\s*['"]?[A-Z]+/.test(r))).toEqual([]);
  });

  it('installs dependencies with npm ci from the lockfile, never npm install', () => {
    const runs = stages.flatMap((s) => args(s, 'RUN')).join('\n');
    expect(runs).toContain('npm ci');
    expect(runs).not.toMatch(/npm (install|i) /);
  });

  it('runs lint and the unit tests while building the test target', () => {
    expect(args(stage('test'), 'RUN')).toContain('npm run -s test:app');
  });

  it('copies every file jest.config.js names into the test target, and .dockerignore lets it through', () => {
    // jest.config.js loads its global setup and teardown from the repository root; a missing one fails the build.
    const named = [...readRepoFile('jest.config.js').matchAll(/<rootDir>\/([\w.-]+\.js)'/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    const copied = args(stage('test'), 'COPY').flatMap((a) => a.split(/\s+/).slice(0, -1));
    const allowed = readRepoFile('.dockerignore')
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1));
    for (const f of named) {
      expect({ file: f, copied: copied.includes(f), allowed: allowed.includes(f) }).toEqual({
        file: f,
        copied: true,
        allowed: true,
      });
    }
  });

  describe('production', () => {
    const production = stage('production');
    it('runs as the numeric non-root UID the cdk8s Deployment uses', () => {
      expect(args(production, 'USER')).toEqual([`${APP_UID}:${APP_UID}`]);
    });
    it('has tini as PID 1 and starts the compiled app', () => {
      expect(args(production, 'ENTRYPOINT')).toEqual(['["/usr/bin/tini", "--"]']);
      expect(args(production, 'CMD')).toEqual(['["node", "app/lib/main.js"]']);
    });
    it('has a HEALTHCHECK on /healthz that needs no curl', () => {
      const [healthcheck = ''] = args(production, 'HEALTHCHECK');
      expect(healthcheck).toContain('CMD ["node"');
      expect(healthcheck).toContain("path:'/healthz'");
    });
    it('copies only compiled JS and the production dependency tree', () => {
      expect(args(production, 'COPY')).toEqual([
        '--from=deps-prod /prod/node_modules ./node_modules',
        '--from=build /workspace/app/package.json app/',
        '--from=build /workspace/app/lib app/lib',
      ]);
    });
    it('carries OCI labels for source, revision and version from build args', () => {
      const labels = args(production, 'LABEL').join(' ');
      for (const [label, arg] of [
        ['source', 'SOURCE'],
        ['revision', 'REVISION'],
        ['version', 'VERSION'],
      ]) {
        expect(labels).toContain(`org.opencontainers.image.${label}="\${${arg}}"`);
        expect(args(production, 'ARG').some((a) => a.startsWith(`${arg}=`))).toBe(true);
      }
    });
  });
});
