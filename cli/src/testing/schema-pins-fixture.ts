import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { DownloadedModule, ModuleDownloader } from '../schemas/go-module';
import type { PinnedSchemaFile, SchemaModule } from '../schemas/manifest';
import { readSchemaPins, type SchemaPins } from '../schemas/pins';
import { sha256 } from '../schemas/verify';

const MODULE = 'example.com/Upstream/schemas'; // upper case: the module cache spells it example.com/!upstream
const VERSION = 'v1.2.3';
const SUM = 'h1:2Fk3cBo3wqZ4q1yKXvQdWv5o0xXcZ0s8l0b1l8a9b2c=';

/** A small pin set of each kind, with everything around it: an engine go.mod/go.sum, a module cache, GitHub files. */
export interface SchemaPinsFixture {
  /** A checkout root holding `engines/fake/go.mod` and `go.sum`. */
  readonly root: string;
  /** An env whose GOMODCACHE holds the extracted module. */
  readonly env: NodeJS.ProcessEnv;
  readonly pins: SchemaPins;
  /** The extracted module directory. */
  readonly moduleDir: string;
  /** The content each pinned file must have in a schemas directory. */
  readonly expected: ReadonlyMap<string, string>;
  /** GitHub-pinned file contents by `/<repo>/<commit>/<path>`, for a 127.0.0.1 server. */
  readonly served: ReadonlyMap<string, string>;
  /** Reports the module as `go mod download -json` would, and counts calls. */
  readonly downloadModule: ModuleDownloader & { calls: number };
  readonly module: DownloadedModule;
}

function write(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

export function schemaPinsFixture(base: string): SchemaPinsFixture {
  const root = join(base, 'checkout');
  write(
    join(root, 'engines', 'fake', 'go.mod'),
    `module example.com/engines/fake\n\ngo 1.26\n\nrequire (\n\tgolang.org/x/other v0.1.0 // indirect\n\t${MODULE} ${VERSION}\n)\n`,
  );
  write(
    join(root, 'engines', 'fake', 'go.sum'),
    `${MODULE} ${VERSION} ${SUM}\n${MODULE} ${VERSION}/go.mod h1:notthecontenthash=\n`,
  );
  const modcache = join(base, 'gomodcache');
  const moduleDir = join(modcache, 'example.com', '!upstream', `schemas@${VERSION}`);
  const swagger = { swagger: '2.0', paths: { '/api': {} }, definitions: { 'io.example.Widget': { type: 'object' } } };
  write(join(moduleDir, 'api', 'swagger.json'), JSON.stringify(swagger, null, 2));
  const widgets = 'kind: CustomResourceDefinition\nmetadata:\n  name: widgets.example.io\n';
  write(join(moduleDir, 'crds', 'widgets.yaml'), widgets);
  const modules: SchemaModule[] = [
    {
      engine: 'fake',
      module: MODULE,
      label: 'fake',
      files: [
        { file: 'kubernetes/{version}-definitions.json', path: 'api/swagger.json', extract: 'definitions' },
        { file: 'crds/example.io_widgets.yaml', path: 'crds/widgets.yaml' },
      ],
    },
  ];
  const things = 'kind: CustomResourceDefinition\nmetadata:\n  name: things.github.io\n';
  const github: PinnedSchemaFile[] = [
    {
      file: 'crds/github.io_things.yaml',
      repository: 'owner/things',
      ref: 'v0.1.0',
      path: 'package/crds/things.yaml',
      commit: '0123456789abcdef0123456789abcdef01234567',
      sha256: sha256(things),
    },
  ];
  const module: DownloadedModule = { path: MODULE, version: VERSION, sum: SUM, dir: moduleDir };
  const downloadModule = Object.assign(
    async (moduleDirArg: string, m: string): Promise<DownloadedModule> => {
      downloadModule.calls++;
      if (moduleDirArg !== join(root, 'engines', 'fake') || m !== MODULE)
        throw new Error(`unexpected go mod download ${m} in ${moduleDirArg}`);
      return module;
    },
    { calls: 0 },
  );
  return {
    root,
    env: { GOMODCACHE: modcache, HOME: base },
    pins: readSchemaPins({ root, modules, github }),
    moduleDir,
    expected: new Map([
      [`kubernetes/${VERSION}-definitions.json`, JSON.stringify({ definitions: swagger.definitions })],
      ['crds/example.io_widgets.yaml', widgets],
      ['crds/github.io_things.yaml', things],
    ]),
    served: new Map([[`/owner/things/${github[0]?.commit}/package/crds/things.yaml`, things]]),
    downloadModule,
    module,
  };
}

/** Writes a schemas directory with the pinned content, `change` applied (a file name to new content, or null to omit). */
export function writeSchemasDir(
  dir: string,
  fx: SchemaPinsFixture,
  change: Readonly<Record<string, string | null>> = {},
): string {
  for (const [file, content] of fx.expected) {
    const c = file in change ? change[file] : content;
    if (c !== null && c !== undefined) write(join(dir, file), c);
  }
  mkdirSync(join(dir, 'crds'), { recursive: true });
  mkdirSync(join(dir, 'kubernetes'), { recursive: true });
  return dir;
}

/**
 * A stand-in `go` (in the returned bin directory) that answers `go mod download -json MODULE` for each schema module
 * of `pins` with a module directory built from the schema files in `source` (so what it reports is what the pins
 * hold): commands that run as child processes fetch without Go or the network.
 */
export function fakeGoForPins(base: string, pins: SchemaPins, source: string): string {
  const bin = join(base, 'fake-go-bin');
  const cases: string[] = [];
  for (const m of pins.modules) {
    const dir = join(base, 'fake-go-modules', `${m.module}@${m.version}`);
    for (const f of m.files) {
      // an extracted file is its own source: extracting `{"definitions": ...}` again gives the same bytes
      mkdirSync(dirname(join(dir, f.path)), { recursive: true });
      writeFileSync(join(dir, f.path), readFileSync(join(source, f.file)));
    }
    const json = JSON.stringify({ Path: m.module, Version: m.version, Sum: m.sum, Dir: dir });
    cases.push(`  ${m.module}) echo '${json}' ;;`);
  }
  write(
    join(bin, 'go'),
    // `go env -json ...` (asked before a download): no module proxy, so nothing is probed
    `#!/bin/sh\nif [ "$1" = env ]; then echo '{"GOPROXY":"off"}'; exit 0; fi\ncase "$4" in\n${cases.join('\n')}\n  *) echo "go: unexpected $*" >&2; exit 1 ;;\nesac\n`,
  );
  chmodSync(join(bin, 'go'), 0o755);
  return bin;
}
