// End-to-end suites with real daemons (statsd, carbon, graphite-web); `.ci/run` installs and runs them.
const base = require('./jest.config.js');
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/*.e2e.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180000,
  maxWorkers: 1,
};
