import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { hostname, tmpdir } from 'node:os';
import { nodeLoaded } from './run-cli';

/**
 * Where a jest run's temp directory is made (`jest.global-setup.js` at the root, named by jest.config.js): under
 * TMPDIR when set, else in /dev/shm when it is a tmpfs that allows programs and has room, else the system temp dir.
 */
const ROOT = resolve(__dirname, '../../..');
interface Probe {
  env?: Record<string, string | undefined>;
  platform?: string;
  statfs?: (path: string) => { type: number | bigint; bavail: number | bigint; bsize: number | bigint };
  mounts?: () => string;
  access?: (path: string, mode: number) => void;
  tmpdir?: () => string;
}
const SETUP = join(ROOT, 'jest.global-setup.js');
const setup = nodeLoaded(SETUP) as {
  runTempParent(probe?: Probe): string;
  removeDeadRuns(parent: string): string[];
};

const TMPFS = 0x01021994;
const EXT4 = 0xef53;
const GiB = 1024 ** 3;
const SHM_MOUNT = 'tmpfs /dev/shm tmpfs rw,relatime,size=24684084k 0 0\n';

/** A Linux machine without TMPDIR whose /dev/shm is a tmpfs with 24 GiB free, mounted rw and exec, writable. */
function machine(overrides: Probe = {}): Probe {
  return {
    env: {},
    platform: 'linux',
    statfs: () => ({ type: TMPFS, bavail: 6 * 1024 ** 2, bsize: 4096 }),
    mounts: () => `/dev/vda / ext4 rw,relatime,discard 0 0\n${SHM_MOUNT}proc /proc proc rw 0 0\n`,
    access: () => undefined,
    tmpdir: () => '/tmp',
    ...overrides,
  };
}

describe('the temp directory of a jest run (jest.global-setup.js)', () => {
  it('goes in /dev/shm when it is a writable tmpfs that allows programs and has room', () => {
    expect(setup.runTempParent(machine())).toBe('/dev/shm');
    // statfs with bigint fields
    expect(
      setup.runTempParent(machine({ statfs: () => ({ type: BigInt(TMPFS), bavail: 3n * 1024n ** 2n, bsize: 1024n }) })),
    ).toBe('/dev/shm');
  });

  it('goes under TMPDIR whenever it is set, without looking at /dev/shm', () => {
    const untouchable = () => {
      throw new Error('/dev/shm was probed');
    };
    expect(
      setup.runTempParent(machine({ env: { TMPDIR: '/scratch' }, statfs: untouchable, mounts: untouchable })),
    ).toBe('/scratch');
  });

  it.each<[string, Probe]>([
    ['not Linux', { platform: 'darwin' }],
    [
      'no /dev/shm',
      {
        statfs: () => {
          throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
        },
      },
    ],
    ['/dev/shm on ext4', { statfs: () => ({ type: EXT4, bavail: 6 * 1024 ** 2, bsize: 4096 }) }],
    ["a container's 64 MB /dev/shm", { statfs: () => ({ type: TMPFS, bavail: (64 * 1024 ** 2) / 4096, bsize: 4096 }) }],
    [
      '/dev/shm mounted noexec',
      { mounts: () => 'shm /dev/shm tmpfs rw,nosuid,nodev,noexec,relatime,size=65536k 0 0\n' },
    ],
    ['/dev/shm mounted read-only', { mounts: () => 'tmpfs /dev/shm tmpfs ro,relatime 0 0\n' }],
    [
      '/dev/shm mounted exec, then noexec over it',
      { mounts: () => `${SHM_MOUNT}tmpfs /dev/shm tmpfs rw,noexec 0 0\n` },
    ],
    ['/dev/shm not in the mount table', { mounts: () => '/dev/vda / ext4 rw 0 0\n' }],
    [
      '/dev/shm not writable by this user',
      {
        access: () => {
          throw Object.assign(new Error('EACCES'), { code: 'EACCES' });
        },
      },
    ],
  ])('goes in the system temp dir: %s', (_, probe) => {
    expect(setup.runTempParent(machine(probe))).toBe('/tmp');
  });

  it('needs 2 GiB free, far more than a run writes', () => {
    const free = (bytes: number) => () => ({ type: TMPFS, bavail: bytes / 4096, bsize: 4096 });
    expect(setup.runTempParent(machine({ statfs: free(2 * GiB) }))).toBe('/dev/shm');
    expect(setup.runTempParent(machine({ statfs: free(2 * GiB - 4096) }))).toBe('/tmp');
  });

  it("is this run's temp directory, made where runTempParent says on this machine", () => {
    const runDir = process.env.PLATFORM_JEST_TMPDIR!;
    expect(tmpdir()).toBe(runDir);
    // as the global setup saw the machine: TMPDIR as it was before the run (os.tmpdir() reads it on each call)
    const outer = process.env.PLATFORM_JEST_OUTER_TMPDIR;
    const systemTempDir = () => {
      const saved = process.env.TMPDIR;
      delete process.env.TMPDIR;
      try {
        return tmpdir();
      } finally {
        process.env.TMPDIR = saved;
      }
    };
    expect(dirname(runDir)).toBe(setup.runTempParent({ env: outer ? { TMPDIR: outer } : {}, tmpdir: systemTempDir }));
  });
});

describe('run directories left by a jest process that died', () => {
  let parent: string;
  beforeEach(() => (parent = mkdtempSync(join(tmpdir(), 'jest-temp-dir-test-'))));
  afterEach(() => rmSync(parent, { recursive: true, force: true }));

  /** A run directory under `parent` owned by `owner` ("<pid> <host>"; undefined: no owner file). */
  function runDir(name: string, owner: string | undefined): string {
    const dir = join(parent, name);
    mkdirSync(join(dir, 'git-fixture'), { recursive: true });
    writeFileSync(join(dir, 'git-fixture', 'HEAD'), 'ref: refs/heads/main\n');
    if (owner !== undefined) writeFileSync(join(dir, '.owner'), owner);
    return dir;
  }

  it('are removed by the next run: only those of dead jest processes of this host', () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited and reaped
    const gone = runDir('metrics-platform-jest-dead', `${dead} ${hostname()}`);
    const live = runDir('metrics-platform-jest-live', `${process.pid} ${hostname()}`);
    const elsewhere = runDir('metrics-platform-jest-other-host', `${dead} another-host.example`);
    const unowned = runDir('metrics-platform-jest-unowned', undefined);
    const garbled = runDir('metrics-platform-jest-garbled', 'not an owner');
    const unrelated = runDir('someone-else', `${dead} ${hostname()}`);

    expect(setup.removeDeadRuns(parent)).toEqual([gone]);
    expect([gone, live, elsewhere, unowned, garbled, unrelated].map(existsSync)).toEqual([
      false,
      true,
      true,
      true,
      true,
      true,
    ]);
  });

  it('a run killed with -9 after its setup leaves its directory, which the next setup removes', async () => {
    // the global setup in a process of its own, TMPDIR pointing at `parent`, then kill -9 (no teardown)
    const child = spawn(
      process.execPath,
      [
        '-e',
        `require(${JSON.stringify(SETUP)})().then(() => { console.log(process.env.TMPDIR); setInterval(() => {}, 1000); })`,
      ],
      { env: { ...process.env, TMPDIR: parent }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise((r) => child.on('exit', r));
    const made = await new Promise<string>((r) => child.stdout.once('data', (d: Buffer) => r(d.toString().trim())));
    expect(dirname(made)).toBe(parent);
    expect(readFileSync(join(made, '.owner'), 'utf8')).toBe(`${child.pid} ${hostname()}`);
    child.kill('SIGKILL');
    await exited;
    expect(existsSync(made)).toBe(true);

    expect(setup.removeDeadRuns(parent)).toEqual([made]);
    expect(existsSync(made)).toBe(false);
  });
});
