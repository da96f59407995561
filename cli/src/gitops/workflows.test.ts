import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadEnvironments } from '@metrics-platform/cdk8s/lib/config';
import { REPO_ROOT } from '../testing/git-fixture';

/**
 * The GitHub Actions workflows follow the supply-chain rules (actionlint's current release judges them in
 * cli/src/engines/actionlint.engines.test.ts):
 * third-party actions pinned by full commit SHA with a version comment, no default permissions, least
 * permissions per job, OIDC instead of stored AWS keys, and no secret reaching a shell command line.
 */
const dir = join(REPO_ROOT, '.github/workflows');
const files = readdirSync(dir)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  environment?: string;
  permissions?: Record<string, string> | string;
  steps?: Step[];
  concurrency?: { group: string } | string;
}
interface Workflow {
  permissions?: unknown;
  jobs: Record<string, Job>;
}
const workflow = (f: string) => parse(readFileSync(join(dir, f), 'utf8')) as Workflow;
const text = (f: string) => readFileSync(join(dir, f), 'utf8');

describe('.github/workflows', () => {
  it('has the ci, release and promote workflows', () => {
    expect(files).toEqual(['ci.yml', 'promote.yml', 'release.yml']);
  });

  it.each(files)('%s pins every third-party action by full commit SHA with a version comment', (f) => {
    const uses = text(f)
      .split('\n')
      .filter((l) => /^\s*(-\s+)?uses:/.test(l));
    expect(uses.length).toBeGreaterThan(0);
    for (const line of uses) {
      const ref = line.replace(/^\s*(-\s+)?uses:\s*/, '');
      if (ref.startsWith('./')) continue;
      expect(ref).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    }
  });

  it.each(files)('%s grants nothing by default and declares least permissions per job', (f) => {
    const wf = workflow(f);
    expect(wf.permissions).toEqual({});
    const allowedWrites: Record<string, (job: Job) => boolean> = {
      // only where AWS credentials are exchanged for the OIDC token
      'id-token': (job) => (job.steps ?? []).some((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@')),
      // only where the platform CLI commits to an env branch
      contents: (job) => (job.steps ?? []).some((s) => /platform\.js (bump|promote)/.test(s.run ?? '')),
      'pull-requests': (job) => (job.steps ?? []).some((s) => /gh pr create/.test(s.run ?? '')),
    };
    for (const [name, job] of Object.entries(wf.jobs)) {
      expect({ job: name, permissions: typeof job.permissions }).toEqual({ job: name, permissions: 'object' });
      for (const [scope, level] of Object.entries(job.permissions as Record<string, string>)) {
        if (level === 'read' || level === 'none') continue;
        expect({ job: name, scope, level, justified: allowedWrites[scope]?.(job) ?? false }).toEqual({
          job: name,
          scope,
          level,
          justified: true,
        });
      }
    }
  });

  it.each(files)('%s never puts a secret or an untrusted input on a shell command line', (f) => {
    for (const job of Object.values(workflow(f).jobs)) {
      for (const step of job.steps ?? []) {
        if (step.run === undefined) continue;
        expect(step.run).not.toMatch(/\$\{\{\s*(secrets\.|inputs\.|github\.event\.)/);
      }
    }
  });

  it('assumes an AWS role by OIDC and never uses stored keys', () => {
    const release = text('release.yml');
    expect(release).toMatch(/role-to-assume:/);
    expect(release).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET_ACCESS_KEY/);
    const image = workflow('release.yml').jobs.image!;
    expect(image.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
  });

  it('builds a multi-arch production image with SBOM and provenance, then bumps dev with its digest', () => {
    const wf = workflow('release.yml');
    const build = wf.jobs.image!.steps!.find((s) => s.uses?.startsWith('docker/build-push-action@'))!;
    expect(build.with).toMatchObject({ target: 'production', push: true, sbom: true, provenance: 'mode=max' });
    expect(String(build.with!.platforms)).toContain('linux/arm64');
    const bump = wf.jobs['bump-dev']!;
    expect(
      bump.steps!.some((s) => /platform\.js bump --env dev .*--digest "\$DIGEST" .*--push origin/.test(s.run ?? '')),
    ).toBe(true);
    expect(bump.concurrency).toMatchObject({ group: 'env-branch-dev' });
  });

  it('promotes dev to staging directly and staging to prod only through a pull request', () => {
    const wf = workflow('promote.yml');
    const staging = wf.jobs.staging!;
    expect(
      staging.steps!.some((s) =>
        /args=\(--from dev --to staging --push origin --wait --timeout \d+\)[^]*platform\.js promote "\$\{args\[@\]\}"/.test(
          s.run ?? '',
        ),
      ),
    ).toBe(true);
    const prod = wf.jobs.prod!;
    const runs = prod.steps!.map((s) => s.run ?? '').join('\n');
    expect(runs).toMatch(/gh pr create --base env\/prod/);
    expect(runs).not.toMatch(/--to prod --push/);
    expect(runs).not.toMatch(/git push origin [^\n]*:refs\/heads\/env\/prod/);
    expect(prod.concurrency).toMatchObject({ group: 'env-branch-prod' });
  });

  it('runs lint, tests, synth --check, validate and the Docker test target in ci', () => {
    const runs = Object.values(workflow('ci.yml').jobs)
      .flatMap((j) => j.steps ?? [])
      .map((s) => s.run ?? '')
      .join('\n');
    for (const needle of [
      'npm ci',
      'npm run -s lint',
      'jest',
      'synth -- --check',
      'npm run -s validate',
      'docker build --target test',
    ]) {
      expect(runs).toContain(needle);
    }
  });

  const allJobs = files.flatMap((f) => Object.entries(workflow(f).jobs).map(([name, job]) => ({ file: f, name, job })));

  it('hands a write token to the pushing steps only: no persisted credentials, no install scripts', () => {
    const writers = allJobs.filter(
      ({ job }) => typeof job.permissions === 'object' && job.permissions.contents === 'write',
    );
    expect(writers.map((w) => `${w.file}:${w.name}`).sort()).toEqual([
      'promote.yml:prod',
      'promote.yml:staging',
      'release.yml:bump-dev',
    ]);
    for (const { file, name, job } of writers) {
      const steps = job.steps ?? [];
      const checkout = steps.find((s) => s.uses?.startsWith('actions/checkout@'));
      expect({ job: `${file}:${name}`, persist: checkout?.with?.['persist-credentials'] }).toEqual({
        job: `${file}:${name}`,
        persist: false,
      });
      for (const s of steps.filter((x) => /\bnpm ci\b/.test(x.run ?? ''))) expect(s.run).toContain('--ignore-scripts');
      for (const s of steps) {
        const hasToken = Object.values(s.env ?? {}).some((v) => /github\.token|secrets\./.test(v));
        const pushes = /git push|--push origin|gh pr create/.test(s.run ?? '');
        expect({ job: `${file}:${name}`, step: s.run?.split('\n')[0], hasToken }).toEqual({
          job: `${file}:${name}`,
          step: s.run?.split('\n')[0],
          hasToken: hasToken && pushes,
        });
      }
    }
  });

  it("pushes images only from the job and GitHub environment each environment's push role trusts", () => {
    const envs = loadEnvironments(REPO_ROOT);
    const trusted = envs.flatMap((e) =>
      e.ecr.repositories.map((r) => ({ env: e.name, environment: r.githubEnvironment, workflow: r.workflow })),
    );
    // Every job that can get an OIDC token declares a GitHub environment (its sub is then environment-scoped).
    const oidcJobs = allJobs.filter(
      ({ job }) => typeof job.permissions === 'object' && job.permissions['id-token'] === 'write',
    );
    expect(oidcJobs.map((j) => [j.file, j.name, j.job.environment])).toEqual([
      ['promote.yml', 'staging', 'promote-staging'],
      ['promote.yml', 'prod', 'promote-prod'],
      ['release.yml', 'image', 'ecr-dev'],
    ]);
    // dev's role trusts exactly that job; no job declares staging's or prod's push environment.
    expect(trusted.find((t) => t.env === 'dev')).toEqual({
      env: 'dev',
      environment: 'ecr-dev',
      workflow: '.github/workflows/release.yml',
    });
    for (const t of trusted.filter((x) => x.env !== 'dev')) {
      expect(allJobs.filter(({ job }) => job.environment === t.environment)).toEqual([]);
    }
    // The image job pushes to dev's repository, whose role is the one the job assumes.
    const dev = envs.find((e) => e.name === 'dev')!;
    expect(dev.ecr.repositories.map((r) => r.name)).toContain(dev.app.image.repository.split('/').slice(1).join('/'));
  });

  it("checks the target's registry with the read-only role that trusts exactly that job, before promoting", () => {
    const envs = loadEnvironments(REPO_ROOT);
    const wf = workflow('promote.yml');
    for (const target of ['staging', 'prod']) {
      const env = envs.find((e) => e.name === target)!;
      const job = wf.jobs[target]!;
      // The check role of the target's RegistryReplicationGrant trusts this workflow file in this GitHub environment.
      expect({ target, environment: job.environment, workflow: env.promotion?.workflow }).toEqual({
        target,
        environment: env.promotion?.githubEnvironment,
        workflow: '.github/workflows/promote.yml',
      });
      const steps = job.steps ?? [];
      const creds = steps.findIndex((s) => s.uses?.startsWith('aws-actions/configure-aws-credentials@'));
      const promote = steps.findIndex((s) => /platform\.js promote/.test(s.run ?? ''));
      expect({ target, creds: creds >= 0, beforePromote: creds < promote }).toEqual({
        target,
        creds: true,
        beforePromote: true,
      });
      expect(steps[creds]!.with).toMatchObject({ 'role-to-assume': '${{ secrets.AWS_PROMOTE_CHECK_ROLE_ARN }}' });
      expect(steps[promote]!.run).toMatch(/--wait --timeout \d+/);
    }
  });
});
