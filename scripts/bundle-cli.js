#!/usr/bin/env node
// `node scripts/bundle-cli.js`: bundles the built CLI (cli/lib/main.js and everything it loads, cdk8s/lib and the
// packages included) into one file, cli/lib/bin/platform-bundle.js, which cli/lib/bin/platform.js runs when it is
// fresh. One file instead of about 400 modules: no module resolution and one compile, whose V8 code cache the CLI
// keeps in the user cache (cli/src/bin/bundle.ts). Run by `npm run build` and scripts/build-if-stale.js after tsc.
//
// - Every bundled module keeps its own __dirname and __filename (the repository's paths are found from them): each
//   module that uses them gets its own, made from the bundle's location and the module's path relative to it.
// - The first line records the bundled workspace files and node_modules/.package-lock.json (mtime and size): the
//   CLI runs the bundle only while all of them are unchanged, and the unbundled modules otherwise (a `tsc -b` or
//   `npm install` since the last bundle), so it never runs stale code.
// - The file is written beside its final name and renamed into place: always wholly old or wholly new.
// - Left out: the Kubernetes client, an ES module loaded with import() that only `status` needs (4 MB more to load
//   for every other command), and cli/lib/util/esm-import.js, which makes that import(): the bundle requires it from
//   beside itself, so that no import() runs inside the bundle (see that module).
'use strict';
const { mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative, sep } = require('node:path');

const FORMAT = 1;
const EXTERNAL = ['@kubernetes/client-node'];
/** The first line of the bundle starts with this, followed by its record (JSON). */
const HEADER_PREFIX = '// platform-bundle ';

/**
 * "mtimeMs size" of a file: what the CLI compares before running the bundle. "missing" for none (no
 * node_modules/.package-lock.json where another package manager installed): the CLI never runs such a bundle.
 */
function fingerprint(path) {
  try {
    const s = statSync(path);
    return `${s.mtimeMs} ${s.size}`;
  } catch (err) {
    if (err.code === 'ENOENT') return 'missing';
    throw err;
  }
}

/** An esbuild plugin: each module that mentions __dirname or __filename gets its own, as if it were not bundled. */
function ownDirname(outDir) {
  return {
    name: 'own-dirname',
    setup(build) {
      const { readFile } = require('node:fs/promises');
      build.onLoad({ filter: /\.[cm]?js$/ }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!/\b__(dirname|filename)\b/.test(text)) return undefined;
        const rel = (p) => JSON.stringify(relative(outDir, p).split(sep).join('/'));
        const own =
          `var __dirname = require("node:path").join(__platformBundleDir, ${rel(dirname(args.path))}), ` +
          `__filename = require("node:path").join(__platformBundleDir, ${rel(args.path)});\n`;
        return { contents: own + text, loader: 'js' };
      });
    },
  };
}

/** Whether a process of this host has this pid. */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM';
  }
}

/** Removes the drafts left by bundlers that died (kill -9) before renaming theirs into place. */
function removeDeadDrafts(outDir) {
  let names;
  try {
    names = readdirSync(outDir);
  } catch {
    return;
  }
  for (const name of names) {
    const m = /^platform-bundle\.js\.(\d+)\.draft$/.exec(name);
    if (m !== null && !alive(Number(m[1]))) rmSync(join(outDir, name), { force: true });
  }
}

/** An esbuild plugin: cli/lib/util/esm-import.js stays a module of its own, required relative to the bundle. */
function esmImportOutside(root, outDir) {
  const file = join(root, 'cli', 'lib', 'util', 'esm-import.js');
  return {
    name: 'esm-import-outside',
    setup(build) {
      build.onResolve({ filter: /esm-import(\.js)?$/ }, (args) => {
        const resolved = join(args.resolveDir, args.path.endsWith('.js') ? args.path : `${args.path}.js`);
        if (resolved !== file) return undefined;
        return { path: `./${relative(outDir, file).split(sep).join('/')}`, external: true };
      });
    },
  };
}

/** Builds the bundle of the CLI under `root`; resolves with its path. */
async function bundleCli(root) {
  const esbuild = require(require.resolve('esbuild', { paths: [root] }));
  const outDir = join(root, 'cli', 'lib', 'bin');
  const outfile = join(outDir, 'platform-bundle.js');
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, 'cli', 'lib', 'main.js')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    write: false,
    metafile: true,
    outfile,
    external: EXTERNAL,
    logLevel: 'error',
    legalComments: 'none',
    plugins: [esmImportOutside(root, outDir), ownDirname(outDir)],
  });
  const workspace = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes('node_modules/'))
    .sort();
  const inputs = {};
  for (const p of [...workspace, 'node_modules/.package-lock.json']) inputs[p] = fingerprint(join(root, p));
  const header = `${HEADER_PREFIX}${JSON.stringify({ format: FORMAT, inputs })}\n`;
  const code = result.outputFiles.find((f) => f.path === outfile).text;
  const draft = `${outfile}.${process.pid}.draft`;
  removeDeadDrafts(outDir);
  try {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(draft, `${header}var __platformBundleDir = __dirname;\n${code}`);
    renameSync(draft, outfile);
  } finally {
    rmSync(draft, { force: true });
  }
  return outfile;
}

module.exports = { bundleCli, HEADER_PREFIX, FORMAT };

if (require.main === module) {
  const root = process.argv[2] ?? join(__dirname, '..');
  bundleCli(root).then(
    () => undefined,
    (err) => {
      process.stderr.write(`bundle-cli: ${err.message}\n`);
      process.exitCode = 1;
    },
  );
}
