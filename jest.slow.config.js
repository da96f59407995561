// Install-from-scratch suites (a fresh copy of the checkout, `npm ci`, `npm run build`): minutes of npm, not seconds
// of the code under test, so `npm test` leaves them to `npm run test:slow`, which `.ci/run` runs.
const base = require('./jest.config.js');
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/*.slow.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 300000,
};
