#!/usr/bin/env node
// `node scripts/build-if-stale.js`: runs `tsc -b app cdk8s cli`, then bundles the CLI (scripts/bundle-cli.js; what
// `npm run build` runs) only when an input of the build changed since the last build this script ran, so `npm run synth`, `validate`, `render` and `bench` do not
// pay a no-op `tsc -b` (about 0.5 s of CPU) on every call, and never run stale code.
//
// The inputs are every file and folder under each workspace's src/, each workspace's tsconfig.json and package.json,
// the root tsconfig.base.json and package.json, and node_modules/.package-lock.json (rewritten by every npm install).
// Each is recorded by mtime, ctime and size (ctime cannot be set back, so even a file restored with an old mtime
// counts as changed), and a folder's entries by their names, so added, deleted and renamed files count too. The
// record is taken before tsc starts and written only when tsc succeeds: a file edited during the build, or a
// failed build, makes the next call build again. A workspace's build info (its tsconfig's tsBuildInfoFile) or the
// CLI's bundle missing or replaced since also means stale. The record lives in node_modules/.cache/, which `npm ci` starts afresh.
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { dirname, join, relative } = require('node:path');

const PROJECTS = ['app', 'cdk8s', 'cli'];
const RECORD_VERSION = 1;

/** The options, or the one-line error naming the argument and what was expected. */
function parseArgs(argv) {
  const opts = { root: join(__dirname, '..'), force: false };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--force') opts.force = true;
    else if (arg === '--root') {
      const value = argv[++i];
      if (value === undefined || value === '') return { error: '--root: got nothing; expected a directory' };
      opts.root = value;
    } else return { error: `unknown argument ${JSON.stringify(arg)}; expected --root DIR or --force` };
  }
  return opts;
}

/** Runs `node ...args` in root, output inherited: its exit status, or the error that kept it from running. */
function runNode(root, args) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  return { status: result.status, error: result.error };
}

/** Runs `node <tsc> ...args` in root. */
const runTsc = (root, tsc, args) => runNode(root, [tsc, ...args]);
/** Runs `node <bundler> root` (root's scripts/bundle-cli.js) in root. */
const runBundle = (root, bundler) => runNode(root, [bundler, root]);

/** The CLI's bundle, an output of the build like the build info files. */
const BUNDLE = join('cli', 'lib', 'bin', 'platform-bundle.js');

/** "mtime ctime size" of a path, or "missing". */
function fingerprint(path) {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.mtimeNs} ${s.ctimeNs} ${s.size}`;
  } catch (err) {
    if (err.code === 'ENOENT' || err.code === 'ENOTDIR') return 'missing';
    throw err;
  }
}

/** Every file and folder under dir, with its fingerprint (a folder's also lists its entries' names). */
function walk(root, dir, into) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (err.code === 'ENOENT') {
      into[relative(root, dir)] = 'missing';
      return;
    }
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  into[relative(root, dir)] = `${fingerprint(dir)} [${entries.map((e) => e.name).join('/')}]`;
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(root, path, into);
    else into[relative(root, path)] = fingerprint(path);
  }
}

/** The build info file a workspace's tsconfig names, or undefined when it names none (then: always build). */
function buildInfoPath(root, project) {
  try {
    const config = JSON.parse(readFileSync(join(root, project, 'tsconfig.json'), 'utf8'));
    const file = config.compilerOptions && config.compilerOptions.tsBuildInfoFile;
    return typeof file === 'string' ? join(root, project, file) : undefined;
  } catch {
    return undefined;
  }
}

function inputs(root) {
  const into = {};
  for (const file of ['package.json', 'tsconfig.base.json', join('node_modules', '.package-lock.json')])
    into[file] = fingerprint(join(root, file));
  for (const project of PROJECTS) {
    for (const file of ['tsconfig.json', 'package.json'])
      into[join(project, file)] = fingerprint(join(root, project, file));
    walk(root, join(root, project, 'src'), into);
  }
  return into;
}

function outputs(root) {
  const out = {};
  for (const project of PROJECTS) {
    const info = buildInfoPath(root, project);
    if (info === undefined) return undefined;
    out[relative(root, info)] = fingerprint(info);
  }
  out[BUNDLE] = fingerprint(join(root, BUNDLE));
  return out;
}

function same(a, b) {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

/** Why a build is needed, or undefined when the last successful build saw exactly these inputs. */
function whyStale(root, recordPath, now) {
  let record;
  try {
    record = JSON.parse(readFileSync(recordPath, 'utf8'));
  } catch {
    return 'no record of a previous build';
  }
  if (record.version !== RECORD_VERSION) return 'record of an older format';
  const out = outputs(root);
  if (out === undefined) return 'a tsconfig names no tsBuildInfoFile';
  if (Object.values(out).includes('missing')) return 'build output missing';
  if (!same(out, record.outputs)) return 'built by something else since';
  if (!same(now, record.inputs)) return 'sources changed';
  return undefined;
}

/**
 * The script, as a function: builds when stale and returns the exit code. `io` is where it reports (stderr) and how
 * it runs tsc (`runTsc`): injectable so its decisions can be tested without a process per call.
 */
function buildIfStale(argv, io = { stderr: (text) => process.stderr.write(text), runTsc, runBundle }) {
  const opts = parseArgs(argv);
  if (opts.error !== undefined) {
    io.stderr(`build-if-stale: ${opts.error}\nusage: node scripts/build-if-stale.js [--root DIR] [--force]\n`);
    return 2;
  }
  const { root, force } = opts;
  const recordPath = join(root, 'node_modules', '.cache', 'build-if-stale', 'record.json');
  const before = inputs(root);
  const why = force ? 'forced' : whyStale(root, recordPath, before);
  if (why === undefined) return 0;
  rmSync(recordPath, { force: true });
  io.stderr(`build-if-stale: ${why}: tsc -b ${PROJECTS.join(' ')}, then bundle the CLI\n`);
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = io.runTsc(root, tsc, ['-b', ...PROJECTS]);
  if (result.error) {
    io.stderr(`build-if-stale: could not run ${tsc}: ${result.error.message}\n`);
    return 1;
  }
  if (result.status !== 0) return result.status ?? 1;
  const bundler = join(root, 'scripts', 'bundle-cli.js');
  const bundled = io.runBundle(root, bundler);
  if (bundled.error) {
    io.stderr(`build-if-stale: could not run ${bundler}: ${bundled.error.message}\n`);
    return 1;
  }
  if (bundled.status !== 0) return bundled.status ?? 1;
  const out = outputs(root);
  if (out !== undefined && !Object.values(out).includes('missing')) {
    mkdirSync(dirname(recordPath), { recursive: true });
    writeFileSync(recordPath, JSON.stringify({ version: RECORD_VERSION, inputs: before, outputs: out }) + '\n');
  }
  return 0;
}

module.exports = { buildIfStale, runTsc, runBundle };

if (require.main === module) process.exitCode = buildIfStale(process.argv.slice(2));
