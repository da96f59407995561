import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchPinnedSchemas, sha256, SchemaFetchError } from '../schemas/fetch';
import { silentServer } from './local-net';
import { schemaPinsFixture } from './schema-pins-fixture';
import type { PinnedSchemaFile } from '../schemas/manifest';
import type { SchemaPins } from '../schemas/pins';

/** `n` small GitHub-pinned files, without Go modules, and their bodies by the path a base URL serves them at. */
export function githubPinsOf(n: number): { pins: SchemaPins; bodies: Map<string, string> } {
  const bodies = new Map<string, string>();
  const github: PinnedSchemaFile[] = [];
  for (let i = 0; i < n; i++) {
    const body = `kind: CustomResourceDefinition\nmetadata:\n  name: thing${i}.example.io\n`;
    const f = {
      file: `crds/thing${i}.yaml`,
      repository: 'owner/things',
      ref: 'v1.0.0',
      path: `crds/thing${i}.yaml`,
      commit: '0123456789abcdef0123456789abcdef01234567',
      sha256: sha256(body),
    };
    github.push(f);
    bodies.set(`/${f.repository}/${f.commit}/${f.path}`, body);
  }
  return { pins: { id: `test-${n}`, github, modules: [] }, bodies };
}

/**
 * A stand-in go in `<base>/bin`: `go env -json` reports the GOPROXY and GOMODCACHE it was given, as go does; `go mod
 * download` records that it ran (in `<base>/downloads`) and then waits on the proxy the way go does on a silent one
 * (over a minute, measured), or answers for the fixture's module when `answer` is set. Returns the bin directory.
 */
export function fakeGo(base: string, answer?: string): string {
  const bin = join(base, 'bin');
  mkdirSync(bin, { recursive: true });
  writeFileSync(
    join(bin, 'go'),
    '#!/bin/sh\n' +
      `if [ "$1" = env ]; then printf '{"GOPROXY":"%s","GOMODCACHE":"%s"}\\n' "$GOPROXY" "$GOMODCACHE"; exit 0; fi\n` +
      `echo "$*" >> "${join(base, 'downloads')}"\n` +
      (answer === undefined ? `exec "${process.execPath}" -e 'setTimeout(() => {}, 60000)'\n` : `echo '${answer}'\n`),
  );
  chmodSync(join(bin, 'go'), 0o755);
  return bin;
}

/** The end of every "cannot reach" message of a GitHub-pinned download: the ways out. */
export const WAYS_OUT_GITHUB =
  /; nothing written; ways out: PLATFORM_SCHEMAS_DIR=<dir> .*\.\.\/shared\/schemas.* PLATFORM_SCHEMAS_BASE_URL=<url> .*HTTPS_PROXY=<proxy> .*`npm run schemas:fetch`$/;

/** The end of every "cannot reach the Go module proxy" message: the ways out. */
export const WAYS_OUT_GO =
  /; ways out: PLATFORM_SCHEMAS_DIR=<dir> .*\.\.\/shared\/schemas.* GOPROXY=<url> .*HTTPS_PROXY=<proxy> .*`npm run schemas:fetch`; nothing written$/;

/** How long a silent-peer case lets the fetch stall (`undefined`: the production default) and how long it may take. */
export interface StallCase {
  readonly stallMs?: number;
  /** What the message says was waited, e.g. `10 s`. */
  readonly waited: string;
  /** The wait, at least (the stall time was really waited out). */
  readonly atLeastMs: number;
  /** The whole fetch, at most (no retries, no further files, not go's own minute-long wait). */
  readonly withinMs: number;
}

function expectStalledOnce(started: number, stall: StallCase, err: unknown, connections: number): string {
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThan(stall.atLeastMs);
  expect(elapsed).toBeLessThan(stall.withinMs);
  expect(connections).toBe(1); // neither retried nor the next file tried
  expect(err).toBeInstanceOf(SchemaFetchError);
  const msg = (err as Error).message;
  expect(msg).not.toContain('\n');
  return msg;
}

/**
 * `platform schemas fetch` of 5 GitHub-pinned files from a host that accepts and never answers: fails once, after
 * the stall time, in one line naming the host and the ways out, and writes nothing.
 */
export async function expectSilentHostFails(stall: StallCase): Promise<void> {
  const silent = await silentServer();
  try {
    const { pins } = githubPinsOf(5);
    const out = join(mkdtempSync(join(tmpdir(), 'schemas-net-')), 'cache');
    const started = Date.now();
    // 5 files and 3 attempts each must not multiply the wait
    const err = await fetchPinnedSchemas({
      dest: out,
      baseUrl: silent.base,
      pins,
      env: {},
      stallMs: stall.stallMs,
    }).catch((e: unknown) => e);
    const msg = expectStalledOnce(started, stall, err, silent.connections());
    expect(msg).toMatch(
      new RegExp(`^cannot download crds/thing0\\.yaml from ${silent.base.slice(7)}: no response in ${stall.waited}; `),
    );
    expect(msg).toMatch(WAYS_OUT_GITHUB);
    expect(existsSync(out)).toBe(false);
  } finally {
    await silent.close();
  }
}

/**
 * `go mod download` of the schema modules through a Go module proxy that accepts and never answers: fails once,
 * after the stall time, in one line naming the proxy and the ways out; go is not left waiting and nothing is written.
 */
export async function expectSilentGoProxyFails(stall: StallCase): Promise<void> {
  const base = mkdtempSync(join(tmpdir(), 'schemas-goproxy-'));
  const fx = schemaPinsFixture(base);
  const silent = await silentServer();
  try {
    const env = { PATH: fakeGo(base), HOME: base, GOPROXY: `${silent.base},direct`, GOMODCACHE: join(base, 'empty') };
    const dest = join(base, 'out');
    const started = Date.now();
    const err = await fetchPinnedSchemas({ dest, pins: fx.pins, root: fx.root, env, stallMs: stall.stallMs }).catch(
      (e: unknown) => e,
    );
    const msg = expectStalledOnce(started, stall, err, silent.connections());
    expect(msg).toMatch(
      new RegExp(
        `^go mod download example\\.com/Upstream/schemas in ${join(fx.root, 'engines', 'fake')}: cannot reach the ` +
          `Go module proxy ${silent.base.slice(7)} \\(go env GOPROXY\\): no response in ${stall.waited}; `,
      ),
    );
    expect(msg).toMatch(WAYS_OUT_GO);
    expect(existsSync(join(base, 'downloads'))).toBe(false); // go was not left waiting
    expect(existsSync(dest)).toBe(false);
  } finally {
    await silent.close();
  }
}
