// jest's own runtime (jest-runtime), with a V8 code cache kept in each worker's memory.
//
// jest loads every module afresh for every test file (each file gets its own module registry), and compiles each
// module's source again each time: zod, cdk8s-plus-34, cdk8s and yaml were compiled 40 to 80 times per run, 260 MB of
// source in all, 7.2 CPU-s of a ~70 CPU-s `npm test` (2026-11-30). Here the first compile of a file in a worker keeps
// V8's code cache and the next compiles of the same source reuse it, which halves that time. Only the parsing is
// shared: each test file still gets its own module instances, exactly as with the stock runtime.
//
// It hooks one seam of jest-runtime: `vm.compileFunction`, while jest's module executor compiles a module. jest's own
// options (file name, dynamic import, context) are passed through untouched; the cache only adds `cachedData`. If a
// jest upgrade moves that seam, modules compile as before, uncached (jest.runtime.test.ts then fails).
'use strict';
const vm = require('node:vm');
const Runtime = require('jest-runtime').default;

/** filename -> { source, data }: the code cache of the last source compiled under that name in this worker. */
const cache = new Map();
const stats = { hits: 0, misses: 0, rejected: 0 };

/** `vm.compileFunction` with the cache: `original` is Node's own. */
function cachingCompileFunction(original, code, params, options) {
  // V8 checks a code cache against the source's length only, not its text: the text is compared here
  const filename = options?.filename;
  if (typeof filename !== 'string' || typeof code !== 'string') return original(code, params, options);
  const entry = cache.get(filename);
  const cachedData = entry !== undefined && entry.source === code ? entry.data : undefined;
  const fn = original(code, params, { ...options, cachedData, produceCachedData: cachedData === undefined });
  if (cachedData === undefined) {
    stats.misses++;
    if (fn.cachedData !== undefined) cache.set(filename, { source: code, data: fn.cachedData });
  } else if (fn.cachedDataRejected) {
    // V8 refuses a cache made under other flags (a test may turn one on, like --expose-gc): make a new one next time
    stats.rejected++;
    cache.delete(filename);
  } else {
    stats.hits++;
  }
  return fn;
}

let hooked = false;
/** Wraps the compile method of jest's module executor (one prototype for all runtimes of the worker) once. */
function hookExecutor(runtime) {
  if (hooked) return;
  hooked = true;
  const proto = runtime.executor !== undefined ? Object.getPrototypeOf(runtime.executor) : undefined;
  const compile = proto?.compile;
  if (typeof compile !== 'function') return; // another jest-runtime: uncached
  proto.compile = function compileWithCodeCache(...args) {
    const original = vm.compileFunction;
    vm.compileFunction = (code, params, options) => cachingCompileFunction(original, code, params, options);
    try {
      return compile.apply(this, args);
    } finally {
      vm.compileFunction = original;
    }
  };
}

class CodeCachingRuntime extends Runtime {
  constructor(...args) {
    super(...args);
    hookExecutor(this);
  }
}

module.exports = CodeCachingRuntime;
// for jest.runtime.test.ts (loaded through Node's own module cache: the instance the worker runs)
/** This worker's cache counts so far. */
module.exports.codeCacheStats = () => ({ ...stats, files: cache.size });
/** `vm.compileFunction` through this worker's cache. */
module.exports.compileFunctionCached = (code, params, options) =>
  cachingCompileFunction(vm.compileFunction, code, params, options);
