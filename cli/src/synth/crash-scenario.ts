import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { builtCli } from '../testing/run-cli';
import { JOURNAL_FILE, stagedPath } from './journal';
import { LOCK_FILE } from './lock';
import { findStrays } from './strays';
import { listFiles, recover, type Tree } from './trees';
import { renderTrees } from './index';

/**
 * kill -9 of synth at random points, many times, in a temp copy of the repo whose sources
 * flip between two states (and whose crossplane/ gets hand edits), so every run has trees to rewrite. After each
 * kill every tree must be wholly one of the versions it has had (hash of all its files), or absent while a journal
 * exists; a recovery must make every tree whole; the last, complete run must leave exactly the sources' trees and
 * no strays.
 */
const repoRoot = join(__dirname, '..', '..', '..');
const MAX_RUNS = 80;
/** Runs done even past the budget, on a machine too loaded to do more in time. */
const MIN_RUNS = 10;
const ENVS = ['dev', 'prod', 'staging'];

function treeHash(dir: string): string {
  if (!existsSync(dir)) return 'absent';
  const h = createHash('sha256');
  for (const f of listFiles(dir))
    h.update(
      `${f}\0${createHash('sha256')
        .update(readFileSync(join(dir, f)))
        .digest('hex')}\n`,
    );
  return h.digest('hex');
}

function filesHash(files: ReadonlyMap<string, string>): string {
  const h = createHash('sha256');
  for (const f of [...files.keys()].sort())
    h.update(`${f}\0${createHash('sha256').update(files.get(f)!).digest('hex')}\n`);
  return h.digest('hex');
}

/** State B: a longer metrics interval and the opposite auto-sync in every environment (changes dist/<env> and argocd/apps). */
function flipped(source: string): string {
  return source
    .replace(/^( {2}intervalMs: )(\d+)$/m, (_m, k: string, n: string) => `${k}${Number(n) + 1}`)
    .replace(/^( {2}autoSync: )(true|false)$/m, (_m, k: string, v: string) => `${k}${v === 'true' ? 'false' : 'true'}`);
}

const HAND_EDIT = 'zz-hand-edit.yaml';

interface Run {
  readonly killed: boolean;
  readonly ms: number;
  /** ms from spawn until a staged tree appeared, if one did */
  readonly stagedAt?: number;
  /** ms from spawn until the journal appeared, if it did */
  readonly journalAt?: number;
}

/** When to kill: `delay` ms after the spawn, after a staged tree appears, or after the journal appears. */
interface Kill {
  readonly after: 'spawn' | 'staged' | 'journal';
  readonly delay: number;
}

/**
 * What a synth child runs: the built `platform synth`, or `writer`: the built synth modules alone doing what
 * `platform synth` does once it has rendered (recover(), then writeTrees() of the rendered trees, read from a JSON
 * file). The writer starts writing after loading cli/lib/synth/trees.js (about 0.1 s) instead of the whole CLI,
 * cdk8s and a render (about 0.5 s), so most kills cost a tenth of a CLI run and all of them land in the write path.
 */
type Child = { readonly kind: 'cli' } | { readonly kind: 'writer'; readonly treesFile: string };

const WRITER = [
  "const { readFileSync } = require('node:fs');",
  'const [, trees, root, file] = process.argv;',
  'const { recover, writeTrees } = require(trees);',
  "const parsed = JSON.parse(readFileSync(file, 'utf8')).map(([dir, files]) => ({ dir, files: new Map(files) }));",
  'recover(root);',
  'writeTrees(root, parsed);',
].join('\n');

/** Writes `trees` where the writer child reads them. */
function saveTrees(file: string, trees: readonly Tree[]): string {
  writeFileSync(file, JSON.stringify(trees.map((t) => [t.dir, [...t.files]])));
  return file;
}

/** Spawns synth and kills it as `kill` says (never when undefined), noting when staging and the journal appear. */
function runSynth(root: string, kill: Kill | undefined, how: Child = { kind: 'cli' }): Promise<Run> {
  const staged = ['dist/dev', 'dist/prod', 'dist/staging', 'crossplane', 'argocd/apps'].map((d) =>
    join(root, stagedPath(d)),
  );
  const journal = join(root, JOURNAL_FILE);
  return new Promise((done, fail) => {
    const start = Date.now();
    const args =
      how.kind === 'cli'
        ? [builtCli(), 'synth', '--root', root]
        : ['-e', WRITER, join(dirname(builtCli()), '..', 'synth', 'trees.js'), root, how.treesFile];
    const child = spawn(process.execPath, args, { env: { PATH: process.env.PATH }, stdio: 'ignore' });
    let stagedAt: number | undefined;
    let journalAt: number | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    let pollTimer: NodeJS.Timeout | undefined;
    const killLater = (ms: number) => (killTimer = setTimeout(() => child.kill('SIGKILL'), ms));
    const guard = setTimeout(() => child.kill('SIGKILL'), 30_000); // never hang the suite
    const poll = () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (stagedAt === undefined && staged.some((p) => existsSync(p))) {
        stagedAt = Date.now() - start;
        if (kill?.after === 'staged') killLater(kill.delay);
      }
      if (journalAt === undefined && existsSync(journal)) {
        journalAt = Date.now() - start;
        if (kill?.after === 'journal') killLater(kill.delay);
      }
      if (journalAt === undefined) pollTimer = setTimeout(poll, 1);
    };
    poll();
    if (kill?.after === 'spawn') killLater(kill.delay);
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      clearTimeout(killTimer);
      clearTimeout(pollTimer);
      clearTimeout(guard);
      if (signal === null && code !== 0) fail(new Error(`synth exited ${code}`));
      else done({ killed: signal === 'SIGKILL', ms: Date.now() - start, stagedAt, journalAt });
    });
  });
}

/**
 * The scenario as a jest suite: kills for `loopBudgetMs` (at least MIN_RUNS of them). `npm test` runs a short
 * budget (crash.test.ts), `npm run test:slow` the long one (crash.slow.test.ts).
 */
export function synthCrashSuite(loopBudgetMs: number): void {
  describe('synth killed at random points', () => {
    let root: string;
    let treesDir: string;
    afterAll(() => {
      rmSync(root, { recursive: true, force: true });
      rmSync(treesDir, { recursive: true, force: true });
    });

    it('leaves every tree wholly old or wholly new, recoverable, and no strays after the next run', async () => {
      root = mkdtempSync(join(tmpdir(), 'synth-crash-'));
      treesDir = mkdtempSync(join(tmpdir(), 'synth-crash-trees-'));
      cpSync(join(repoRoot, 'environments'), join(root, 'environments'), { recursive: true });
      cpSync(join(repoRoot, 'cdk8s.yaml'), join(root, 'cdk8s.yaml'));
      const sources = ENVS.map((e) => join(root, 'environments', `${e}.yaml`));
      const stateA = sources.map((f) => readFileSync(f, 'utf8'));
      const stateB = stateA.map(flipped);
      expect(stateB).not.toEqual(stateA);
      const setState = (s: readonly string[]) => sources.forEach((f, i) => writeFileSync(f, s[i]!));

      // every version each tree may legitimately have: the render of either state, crossplane/ with a hand edit
      const allowed = new Map<string, Set<string>>();
      const allow = (dir: string, hash: string) => allowed.set(dir, (allowed.get(dir) ?? new Set()).add(hash));
      const states = [stateB, stateA];
      const expected: Map<string, string>[] = [];
      const treesFiles: string[] = [];
      for (const [i, state] of states.entries()) {
        setState(state);
        const trees = renderTrees(root);
        expected.push(new Map(trees.map((t) => [t.dir, filesHash(t.files)])));
        treesFiles.push(saveTrees(join(treesDir, `state-${i}.json`), trees));
        for (const t of trees) {
          allow(t.dir, filesHash(t.files));
          if (t.dir === 'crossplane') allow(t.dir, filesHash(new Map([...t.files, [HAND_EDIT, 'kind: HandEdit\n']])));
        }
      }
      // every tree but crossplane/ differs between the states, so every run has swaps to do
      for (const [dir, hash] of expected[0]!) if (dir !== 'crossplane') expect(expected[1]!.get(dir)).not.toBe(hash);

      // how long the phases took, for each kind of child: the kills below aim at them
      const phases = (run: Run) => ({
        ms: run.ms,
        stagingMs: Math.max(5, (run.journalAt ?? run.ms) - (run.stagedAt ?? 0)),
        swapMs: Math.max(3, run.ms - (run.journalAt ?? run.ms)),
      });
      const calibration = { cli: phases(await runSynth(root, undefined)) }; // state A, all trees new
      let current = 0; // index in `states` of the state the sources are in
      setState(states[current]!);
      const writer = { kind: 'writer' as const, treesFile: treesFiles[current]! };
      const timing = { ...calibration, writer: phases(await runSynth(root, undefined, writer)) }; // every tree but crossplane/ rewritten
      for (const [dir, hash] of expected[current]!)
        expect({ dir, hash: treeHash(join(root, dir)) }).toEqual({ dir, hash });

      const dirs = [...allowed.keys()];
      const stats = { runs: 0, cliRuns: 0, killed: 0, withJournal: 0, absentTrees: 0, withStrays: 0, recoveries: 0 };
      const deadline = Date.now() + loopBudgetMs;
      let seed = 0x9e3779b9;
      const random = () => (seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32;

      for (let i = 0; i < MAX_RUNS && (Date.now() < deadline || i < MIN_RUNS); i++) {
        current = 1 - current;
        setState(states[current]!);
        // one run in five is the built `platform synth` itself, the others the writer (see Child)
        const how: Child = i % 5 === 4 ? { kind: 'cli' } : { kind: 'writer', treesFile: treesFiles[current]! };
        const { ms, stagingMs, swapMs } = timing[how.kind];
        if (i % 3 === 0 && existsSync(join(root, 'crossplane')))
          writeFileSync(join(root, 'crossplane', HAND_EDIT), 'kind: HandEdit\n');
        // most kills aim at the staging and the swap phases; the rest anywhere in the run
        const r = random();
        const kill: Kill =
          r < 0.35
            ? { after: 'staged', delay: random() * stagingMs * 1.2 }
            : r < 0.8
              ? { after: 'journal', delay: random() * swapMs * 0.7 }
              : { after: 'spawn', delay: random() * ms * 1.2 };
        const run = await runSynth(root, kill, how);
        stats.runs++;
        if (how.kind === 'cli') stats.cliRuns++;
        if (run.killed) stats.killed++;
        const journal = existsSync(join(root, JOURNAL_FILE));
        if (journal) stats.withJournal++;
        if (findStrays(root).length > 0) stats.withStrays++;
        for (const dir of dirs) {
          const hash = treeHash(join(root, dir));
          // absent only between "old aside" and "new in place", which the journal covers
          if (hash === 'absent') stats.absentTrees++;
          if (hash === 'absent') expect({ dir, absent: true, journal }).toEqual({ dir, absent: true, journal: true });
          else expect({ dir, whole: allowed.get(dir)!.has(hash) }).toEqual({ dir, whole: true });
        }
        if (journal && random() < 0.5) {
          // what the next run does first; otherwise the next synth itself recovers (and may be killed doing it)
          recover(root);
          stats.recoveries++;
          expect(existsSync(join(root, JOURNAL_FILE))).toBe(false);
          for (const dir of dirs)
            expect({ dir, whole: allowed.get(dir)!.has(treeHash(join(root, dir))) }).toEqual({ dir, whole: true });
        }
      }

      // the next, complete run of the built `platform synth`: exactly the sources' trees, nothing left behind
      const done = await runSynth(root, undefined);
      expect(done.killed).toBe(false);
      for (const [dir, hash] of expected[current]!)
        expect({ dir, hash: treeHash(join(root, dir)) }).toEqual({ dir, hash });
      expect(findStrays(root)).toEqual([]);
      const dotEntries = ['', 'dist', 'argocd'].flatMap((d) =>
        readdirSync(join(root, d))
          .filter((n) => n.startsWith('.'))
          .map((n) => join(d, n)),
      );
      expect(dotEntries).toEqual([]);
      expect(existsSync(join(root, LOCK_FILE))).toBe(false);

      expect(stats.runs).toBeGreaterThanOrEqual(MIN_RUNS);
      expect(stats.killed).toBeGreaterThan(0);
      expect(stats.cliRuns).toBeGreaterThan(0);
      process.stderr.write(`synth crash test: ${JSON.stringify({ ...stats, timing })}\n`);
    }, 120_000);
  });
}
