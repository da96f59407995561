import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { userSchemasCacheDir } from '../schemas/cache-dir';
import { DEFAULT_SCHEMAS_BASE_URL, fetchPinnedSchemas, SchemaFetchError } from '../schemas/fetch';
import { pinnedFileCount, readSchemaPins, SchemaPinError } from '../schemas/pins';
import { ProxySettingError } from '../schemas/proxy-env';
import { CliError, UsageError } from '../util/errors';
import { findRepoRoot } from '../validate/repo-root';
import { findSchemas, SchemasNotFoundError } from '../validate/schemas-dir';
import type { Command } from './command';

const usage = `usage: platform schemas fetch [--dest DIR] [--base-url URL] [--force]
       platform schemas ensure [--base-url URL]
       platform schemas path

fetch  reads the files of the Go modules the engines pin (Kubernetes, Crossplane, Argo CD,
       function-patch-and-transform) with \`go mod download\` in engines/<dir>, at the version its go.mod
       requires (go checks go.sum), downloads the GitHub-pinned rest (cli/src/schemas/manifest.ts: repository,
       commit, path, sha256), verifies every sha256 and replaces the cache directory atomically. Needs Go.
ensure prints the directory \`platform validate\` will read (--schemas aside); when none is found it fetches the
       pinned files into the user cache first. \`npm test\` runs it, so a fresh clone needs no manual step.
       An explicitly set PLATFORM_SCHEMAS_DIR that is unusable stays an error (never papered over by a download);
       a ../shared/schemas that does not match the pins is passed over with a note.
path   prints the cache directory that \`platform validate\` falls back to.

flags:
  --dest DIR      where to put them (default: $XDG_CACHE_HOME/metrics-platform/schemas/<pin-set id>)
  --base-url URL  raw-content base URL (default: $PLATFORM_SCHEMAS_BASE_URL or ${DEFAULT_SCHEMAS_BASE_URL});
                  files are fetched from <base>/<owner>/<repo>/<commit>/<path>
  --force         download even when the cache already matches every pinned sum

HTTPS_PROXY, HTTP_PROXY and NO_PROXY (lower case too) are honoured by the downloads and by go. A host that cannot
be resolved or refuses fails at once, one that does not answer for 10 s (the Go module proxy too) fails then, in
one line with the ways out. Progress lines go to stderr.`;

export const schemas: Command = {
  name: 'schemas',
  summary: 'fetch (or ensure) the pinned upstream schemas offline validation needs',
  usage,
  async run(args) {
    try {
      return await run(args);
    } catch (err) {
      if (err instanceof SchemaPinError) throw new CliError(err.message);
      throw err;
    }
  },
};

async function run(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'path') {
    if (rest.length > 0) throw new UsageError(`schemas path: unexpected argument ${rest[0] as string}`);
    process.stdout.write(userSchemasCacheDir() + '\n');
    return 0;
  }
  if (sub !== 'fetch' && sub !== 'ensure')
    throw new UsageError(`expected a sub-command: fetch, ensure or path; got ${JSON.stringify(sub ?? '')}`);
  let dest = userSchemasCacheDir();
  let baseUrl = process.env.PLATFORM_SCHEMAS_BASE_URL || DEFAULT_SCHEMAS_BASE_URL;
  let force = false;
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i] as string;
    const value = (): string => {
      const v = rest[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${a}: expected a value`);
      return v;
    };
    if (a === '--base-url') baseUrl = value();
    else if (sub === 'fetch' && a === '--dest') dest = value();
    else if (sub === 'fetch' && a === '--force') force = true;
    else
      throw new UsageError(
        `unknown argument ${a}; expected ${sub === 'fetch' ? '--dest, --base-url or --force' : '--base-url'}`,
      );
  }
  if (sub === 'ensure') {
    const explicit = process.env.PLATFORM_SCHEMAS_DIR !== undefined && process.env.PLATFORM_SCHEMAS_DIR !== '';
    let notes: readonly string[] = [];
    try {
      const found = findSchemas();
      for (const n of found.notes) process.stderr.write(`schemas: ${n}\n`);
      process.stdout.write(`schemas: ${found.dir}\n`);
      return 0;
    } catch (err) {
      if (!(err instanceof SchemasNotFoundError)) throw err;
      if (explicit) throw new CliError(err.message);
      notes = err.notes;
    }
    for (const n of notes) process.stderr.write(`schemas: ${n}\n`);
    process.stderr.write(`schemas: none found beside the repository or in the cache; fetching them into ${dest}\n`);
  }
  try {
    const pins = readSchemaPins();
    // A shared copy for other pins still holds GitHub-pinned files with the pinned sums: no need to download those.
    const repoRoot = findRepoRoot();
    const shared = repoRoot === undefined ? undefined : resolve(repoRoot, '..', 'shared', 'schemas');
    const localSources = shared !== undefined && existsSync(shared) ? [shared] : [];
    const result = await fetchPinnedSchemas({
      dest,
      baseUrl,
      force,
      pins,
      localSources,
      progress: { write: (line) => process.stderr.write(`schemas: ${line}\n`) },
    });
    const downloaded = result.downloaded - result.fromModules - result.local;
    process.stdout.write(
      result.downloaded === 0
        ? `${dest}: already holds the ${pinnedFileCount(pins)} pinned files\n`
        : `${dest}: ${result.downloaded} pinned files verified and written (${result.fromModules} from the engine ` +
            `modules, ${result.local} from ${localSources.join(', ') || 'local copies'}, ${downloaded} downloaded)\n`,
    );
    return 0;
  } catch (err) {
    if (err instanceof SchemaFetchError || err instanceof ProxySettingError) throw new CliError(err.message);
    throw err;
  }
}
