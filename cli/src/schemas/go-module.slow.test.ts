import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentServer } from '../testing/local-net';
import { fakeGo, WAYS_OUT_GO } from '../testing/schema-net';
import { schemaPinsFixture } from '../testing/schema-pins-fixture';
import { fetchPinnedSchemas, SchemaFetchError } from './fetch';

// The production default, waited out in full (10 s); `npm test` checks the same mechanism with a 1 s stall time
// (go-module.test.ts) and the default as a value (fetch.network.test.ts).
describe('go mod download of the schema modules, with the default stall time', () => {
  it('fails within 15 s in one line naming the Go module proxy when it accepts and never answers', async () => {
    const base = mkdtempSync(join(tmpdir(), 'schemas-goproxy-'));
    const fx = schemaPinsFixture(base);
    const silent = await silentServer();
    try {
      const env = { PATH: fakeGo(base), HOME: base, GOPROXY: `${silent.base},direct`, GOMODCACHE: join(base, 'empty') };
      const dest = join(base, 'out');
      const started = Date.now();
      const err = await fetchPinnedSchemas({ dest, pins: fx.pins, root: fx.root, env }).catch((e: unknown) => e);
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(err).toBeInstanceOf(SchemaFetchError);
      const msg = (err as Error).message;
      expect(msg).toMatch(
        new RegExp(
          `^go mod download example\\.com/Upstream/schemas in ${join(fx.root, 'engines', 'fake')}: cannot reach the ` +
            `Go module proxy ${silent.base.slice(7)} \\(go env GOPROXY\\): no response in 10 s; `,
        ),
      );
      expect(msg).toMatch(WAYS_OUT_GO);
      expect(msg).not.toContain('\n');
      expect(existsSync(join(base, 'downloads'))).toBe(false); // go was not left waiting
      expect(existsSync(dest)).toBe(false);
    } finally {
      await silent.close();
    }
  }, 20_000);
});
