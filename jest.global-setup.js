// Every temp file of a jest run (tests, cdk8s Testing.app() outdirs, child processes) goes under one directory,
// removed by jest.global-teardown.js: a run leaves nothing in the system temp dir even when a test forgets to clean up.
// Set here, before the workers start, so they and their children inherit it (os.tmpdir() reads TMPDIR each call).
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

module.exports = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'metrics-platform-jest-'));
  process.env.PLATFORM_JEST_TMPDIR = dir;
  process.env.PLATFORM_JEST_OUTER_TMPDIR = process.env.TMPDIR ?? '';
  process.env.TMPDIR = dir;
};
