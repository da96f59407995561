import { userSchemasCacheDir } from '../schemas/cache-dir';
import { DEFAULT_SCHEMAS_BASE_URL, fetchPinnedSchemas, SchemaFetchError } from '../schemas/fetch';
import { PINNED_SCHEMA_FILES, PINNED_SCHEMAS_ID } from '../schemas/manifest';
import { CliError, UsageError } from '../util/errors';
import { resolveSchemasDir, SchemasNotFoundError } from '../validate/schemas-dir';
import type { Command } from './command';

const usage = `usage: platform schemas fetch [--dest DIR] [--base-url URL] [--force]
       platform schemas ensure [--base-url URL]
       platform schemas path

fetch  downloads exactly the pinned upstream schema files (cli/src/schemas/manifest.ts: repository, commit,
       path, sha256), verifies every sha256 and replaces the cache directory atomically.
ensure prints the directory \`platform validate\` will read (--schemas aside); when none is found it fetches the
       pinned files into the user cache first. \`npm test\` runs it, so a fresh clone needs no manual step.
       An explicitly set PLATFORM_SCHEMAS_DIR that is unusable stays an error (never papered over by a download).
path   prints the cache directory that \`platform validate\` falls back to.

flags:
  --dest DIR      where to put them (default: $XDG_CACHE_HOME/metrics-platform/schemas/${PINNED_SCHEMAS_ID})
  --base-url URL  raw-content base URL (default: $PLATFORM_SCHEMAS_BASE_URL or ${DEFAULT_SCHEMAS_BASE_URL});
                  files are fetched from <base>/<owner>/<repo>/<commit>/<path>
  --force         download even when the cache already matches every pinned sum`;

export const schemas: Command = {
  name: 'schemas',
  summary: 'fetch (or ensure) the pinned upstream schemas offline validation needs',
  usage,
  async run(args) {
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
      try {
        process.stdout.write(`schemas: ${resolveSchemasDir()}\n`);
        return 0;
      } catch (err) {
        if (!(err instanceof SchemasNotFoundError)) throw err;
        if (explicit) throw new CliError(err.message);
        process.stderr.write(`schemas: none found beside the repository or in the cache; fetching them into ${dest}\n`);
      }
    }
    try {
      const result = await fetchPinnedSchemas({ dest, baseUrl, force });
      process.stdout.write(
        result.downloaded === 0
          ? `${dest}: already holds the ${PINNED_SCHEMA_FILES.length} pinned files\n`
          : `${dest}: ${result.downloaded} pinned files downloaded and verified\n`,
      );
      return 0;
    } catch (err) {
      if (err instanceof SchemaFetchError) throw new CliError(err.message);
      throw err;
    }
  },
};
