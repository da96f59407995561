// Every temp file of a jest run (tests, cdk8s Testing.app() outdirs, child processes) goes under one directory,
// removed by jest.global-teardown.js: a run leaves nothing in the system temp dir even when a test forgets to clean up.
// Set here, before the workers start, so they and their children inherit it (os.tmpdir() reads TMPDIR each call).
//
// Where that directory goes: under TMPDIR when it is set (the user's choice), else in /dev/shm when it is a memory
// file system (tmpfs) that allows programs to run and has room, else in the system temp dir. The suites create and
// delete thousands of small files (git objects, clones, worktrees, rendered trees, about 40 MB at a time): on the
// ext4 of these machines (mounted with `discard`), finding free inodes and discarding freed blocks was a third of the
// run's system time. On 2 cores (2026-11-30), 3 paired `npm test` runs, medians: 29.8 s in /dev/shm instead of
// 33.1 s in /tmp, with 11.3 CPU-s of system time instead of 17.6.
//
// A run killed before its teardown (kill -9) leaves its directory; the next run removes it (removeDeadRuns).
'use strict';
const {
  accessSync,
  constants,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statfsSync,
  writeFileSync,
} = require('node:fs');
const { hostname, tmpdir } = require('node:os');
const { join } = require('node:path');

/** The memory file system most Linux machines have. */
const MEMORY_DIR = '/dev/shm';
/** statfs f_type of tmpfs (linux/magic.h). */
const TMPFS_MAGIC = 0x01021994;
/**
 * Room /dev/shm must have free for a run to go there: the largest runs (test:slow installs a copy of the repository
 * with `npm ci`, the engines' etcd preallocates its log) stay far below it. A container's 64 MB /dev/shm is skipped.
 */
const MIN_FREE_BYTES = 2 * 1024 ** 3;

/**
 * The directory the run's temp directory is made in (see above). `probe` replaces what is read from the machine
 * (for the tests): `env`, `platform`, `statfs(path)`, `mounts()` (/proc/self/mounts), `access(path, mode)` and
 * `tmpdir()` (the system temp dir when TMPDIR is unset).
 */
function runTempParent(probe = {}) {
  const {
    env = process.env,
    platform = process.platform,
    statfs = statfsSync,
    mounts = () => readFileSync('/proc/self/mounts', 'utf8'),
    access = accessSync,
    tmpdir: systemTempDir = tmpdir,
  } = probe;
  if (env.TMPDIR) return env.TMPDIR;
  if (platform !== 'linux') return systemTempDir();
  try {
    const stats = statfs(MEMORY_DIR);
    if (Number(stats.type) !== TMPFS_MAGIC || Number(stats.bavail) * Number(stats.bsize) < MIN_FREE_BYTES)
      return systemTempDir();
    // the last mount on /dev/shm is the one in effect; noexec would stop the scripts and binaries tests run from there
    const mount = mounts()
      .split('\n')
      .map((line) => line.split(' '))
      .filter((fields) => fields[1] === MEMORY_DIR)
      .pop();
    const options = mount?.[3]?.split(',') ?? [];
    if (!options.includes('rw') || options.includes('noexec')) return systemTempDir();
    access(MEMORY_DIR, constants.W_OK | constants.X_OK);
    return MEMORY_DIR;
  } catch {
    return systemTempDir(); // no /dev/shm, or not ours to write
  }
}

const RUN_DIR_PREFIX = 'metrics-platform-jest-';
/** In a run's directory: "<pid> <host>" of the jest process that made it. */
const OWNER_FILE = '.owner';

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code === 'EPERM'; // exists, another user's
  }
}

/**
 * Removes the run directories under `parent` left by jest processes of this host that died (kill -9 skips the
 * teardown): in /dev/shm they would hold memory until the next reboot. Those of live runs, of other hosts (a shared
 * temp dir, another container) and any without an owner are left alone. Returns the paths removed.
 */
function removeDeadRuns(parent, host = hostname(), alive = isAlive) {
  const removed = [];
  let names;
  try {
    names = readdirSync(parent).filter((name) => name.startsWith(RUN_DIR_PREFIX));
  } catch {
    return removed;
  }
  for (const name of names) {
    let owner;
    try {
      owner = /^(\d+) (.+)$/.exec(readFileSync(join(parent, name, OWNER_FILE), 'utf8'));
    } catch {
      continue; // not (yet) owned: a run being set up, or not ours
    }
    if (owner === null || owner[2] !== host || alive(Number(owner[1]))) continue;
    rmSync(join(parent, name), { recursive: true, force: true });
    removed.push(join(parent, name));
  }
  return removed;
}

module.exports = async () => {
  const parent = runTempParent();
  removeDeadRuns(parent);
  const dir = mkdtempSync(join(parent, RUN_DIR_PREFIX));
  writeFileSync(join(dir, OWNER_FILE), `${process.pid} ${hostname()}`);
  process.env.PLATFORM_JEST_TMPDIR = dir;
  process.env.PLATFORM_JEST_OUTER_TMPDIR = process.env.TMPDIR ?? '';
  process.env.TMPDIR = dir;
};
module.exports.runTempParent = runTempParent;
module.exports.removeDeadRuns = removeDeadRuns;
