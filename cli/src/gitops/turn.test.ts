import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeTurn } from './turn';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'turn-test-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const lock = () => join(dir, 'platform-env-dev.lock');

describe('takeTurn', () => {
  it('holds a lock file naming this process while the turn lasts, and removes it at the end', async () => {
    const end = await takeTurn(dir, 'env-dev');
    expect(readFileSync(lock(), 'utf8')).toBe(`platform pid ${process.pid} on ${hostname()}`);
    end();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('waits while a live process holds the turn, and takes it once that one ends its turn', async () => {
    const first = await takeTurn(dir, 'env-dev');
    const events: string[] = [];
    const second = takeTurn(dir, 'env-dev').then((end) => {
      events.push('second has the turn');
      return end;
    });
    await new Promise((r) => setTimeout(r, 150));
    expect(events).toEqual([]);
    events.push('first ends');
    first();
    const end = await second;
    expect(events).toEqual(['first ends', 'second has the turn']);
    expect(existsSync(lock())).toBe(true);
    end();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('takes over at once the turn of a process that died (kill -9)', async () => {
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    writeFileSync(lock(), `platform pid ${dead} on ${hostname()}`);
    const started = Date.now();
    const end = await takeTurn(dir, 'env-dev', { waitMs: 10_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(readFileSync(lock(), 'utf8')).toBe(`platform pid ${process.pid} on ${hostname()}`);
    end();
  });

  it('takes over a lock file naming no owner once it is a minute old, not before', async () => {
    writeFileSync(lock(), '');
    const log: string[] = [];
    (await takeTurn(dir, 'env-dev', { waitMs: 50, log: (l) => log.push(l) }))();
    expect(log).toEqual([expect.stringMatching(/is still held \(no owner named\) after 0\.05 s; going ahead/)]);
    expect(existsSync(lock())).toBe(true); // not ours: left alone
    const old = (Date.now() - 61_000) / 1000;
    utimesSync(lock(), old, old);
    const end = await takeTurn(dir, 'env-dev', { waitMs: 50 });
    expect(readFileSync(lock(), 'utf8')).toBe(`platform pid ${process.pid} on ${hostname()}`);
    end();
  });

  it('goes ahead after waitMs when the holder lives on (another host, a hung process), saying so', async () => {
    writeFileSync(lock(), 'platform pid 1 on some-other-host');
    const log: string[] = [];
    const started = Date.now();
    const end = await takeTurn(dir, 'env-dev', { waitMs: 200, log: (l) => log.push(l) });
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);
    expect(log).toEqual([
      `${lock()} is still held (platform pid 1 on some-other-host) after 0.2 s; going ahead without waiting for it`,
    ]);
    end();
    expect(readFileSync(lock(), 'utf8')).toBe('platform pid 1 on some-other-host'); // never removes another's turn
  });

  it('goes ahead without a turn where no lock can be written', async () => {
    const end = await takeTurn(join(dir, 'missing'), 'env-dev');
    end();
    expect(readdirSync(dir)).toEqual([]);
  });
});
