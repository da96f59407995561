import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../schemas/fetch';
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
