// Removes the jest run's temp directory (see jest.global-setup.js).
const { rmSync } = require('node:fs');

module.exports = async () => {
  const dir = process.env.PLATFORM_JEST_TMPDIR;
  if (dir === undefined) return;
  const outer = process.env.PLATFORM_JEST_OUTER_TMPDIR;
  if (outer) process.env.TMPDIR = outer;
  else delete process.env.TMPDIR;
  rmSync(dir, { recursive: true, force: true });
};
