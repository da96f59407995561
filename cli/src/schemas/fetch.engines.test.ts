import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchPinnedSchemas } from './fetch';
import { goModDownloader } from './go-module';
import { readSchemaPins } from './pins';
import { moduleFileContent, readSourcesTsv, sha256 } from './verify';

/** The real `go mod download` in each engine directory (the engine suite has Go and the modules). */
describe('platform schemas fetch from the engine modules', () => {
  it('reads every module-pinned file from the module go reports for the version engines/<dir>/go.mod requires', async () => {
    const pins = { ...readSchemaPins(), github: [] };
    const dest = join(mkdtempSync(join(tmpdir(), 'schemas-engines-')), 'out');
    const r = await fetchPinnedSchemas({ dest, pins });
    expect(r.fromModules).toBe(pins.modules.reduce((n, m) => n + m.files.length, 0));
    const rows = readSourcesTsv(dest);
    const download = goModDownloader();
    for (const m of pins.modules) {
      const got = await download(join(__dirname, '../../../engines', m.engine), m.module);
      expect({ module: m.module, version: got.version, sum: got.sum }).toEqual({
        module: m.module,
        version: m.version,
        sum: m.sum,
      });
      for (const f of m.files) {
        const body = readFileSync(join(dest, f.file));
        expect(body.equals(moduleFileContent(got.dir, f))).toBe(true);
        expect(rows.get(f.file)).toEqual({
          file: f.file,
          repository: m.module,
          ref: m.version,
          path: f.path,
          commit: m.sum,
          sha256: sha256(body),
        });
      }
    }
  });
});
