import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentServer } from '../testing/local-net';
import { githubPinsOf, WAYS_OUT_GITHUB } from '../testing/schema-net';
import { fetchPinnedSchemas, SchemaFetchError } from './fetch';

// The production default, waited out in full (10 s); `npm test` checks the same mechanism with a 1 s stall time
// (fetch.network.test.ts) and the default as a value.
describe('platform schemas fetch over the network, with the default stall time', () => {
  it('fails within 15 s in total, naming the host and the ways out, when the host accepts and never answers', async () => {
    const silent = await silentServer();
    try {
      const { pins } = githubPinsOf(5);
      const out = join(mkdtempSync(join(tmpdir(), 'schemas-net-')), 'cache');
      const started = Date.now();
      // the defaults: 5 files and 3 attempts each must not multiply the wait
      const err = await fetchPinnedSchemas({ dest: out, baseUrl: silent.base, pins, env: {} }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(err).toBeInstanceOf(SchemaFetchError);
      const msg = (err as Error).message;
      expect(msg).not.toContain('\n');
      expect(msg).toMatch(
        new RegExp(`^cannot download crds/thing0\\.yaml from ${silent.base.slice(7)}: no response in 10 s; `),
      );
      expect(msg).toMatch(WAYS_OUT_GITHUB);
      expect(silent.connections()).toBe(1); // neither retried nor the next file tried
      expect(existsSync(out)).toBe(false);
    } finally {
      await silent.close();
    }
  }, 20_000);
});
