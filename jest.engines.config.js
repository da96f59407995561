// The real engines as judges (kube-apiserver + etcd, Crossplane's render with the real functions, kustomize,
// Argo CD's Lua): `npm run test:engines` builds them first (`platform engines ensure`), then runs these suites.
const base = require('./jest.config.js');
/** @type {import('jest').Config} */
module.exports = {
  ...base,
  testMatch: ['**/*.engines.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  testTimeout: 180000,
  maxWorkers: 2,
};
