// jest's own runtime (jest-runtime), with a V8 code cache kept in each worker's memory.
//
// jest loads every module afresh for every test file (each file gets its own module registry) and compiles each
// module's source again each time: zod, cdk8s-plus-34, cdk8s and yaml 40 to 80 times per run, 260 MB of source, and
// V8 compiles every function a module runs again too. Here the first compile of a file in a worker is kept, and from
// its second compile on the file is compiled from V8's code cache of the first, taken after it ran: it holds the
// bytecode of every function the module ran, not only of its top level (the cache `vm.compileFunction` can make
// holds nothing more, and measured no faster). Only compiled code is shared: each test file still runs its own module
// instances, exactly as with the stock runtime. 4 paired full jest runs on 2 cores: median 2.4 s and 4.4 CPU-s less
// (2026-11-30).
//
// It hooks one seam of jest-runtime: `vm.compileFunction`, while jest's module executor compiles a module. The same
// function is compiled as a `vm.Script` that evaluates to it, with jest's options (file name, dynamic import, the
// test file's context); the first line's column offset keeps error positions where they were. If a jest upgrade
// moves that seam, modules compile as before, uncached (jest-runtime.test.ts then fails). jest-runtime is a
// devDependency of its own, at jest's version (the test checks that too).
'use strict';
const vm = require('node:vm');
const Runtime = require('jest-runtime').default;

/** filename -> { source, script } until the second compile, then { source, data }: this worker's cache. */
const cache = new Map();
const stats = { hits: 0, misses: 0, rejected: 0 };

/** What `vm.compileFunction(code, params, options)` returns, compiled through the cache. */
function compileFunctionCached(code, params, options) {
  const { filename, parsingContext, importModuleDynamically } = options;
  const prefix = `(function (${params.join(', ')}) {`;
  let entry = cache.get(filename);
  // V8 checks a code cache against the source's length only, not its text: the text is compared here
  if (entry !== undefined && entry.source !== code) entry = undefined;
  if (entry !== undefined && entry.data === undefined) entry = { source: code, data: entry.script.createCachedData() };
  const script = new vm.Script(`${prefix}${code}\n})`, {
    filename,
    columnOffset: -prefix.length,
    cachedData: entry?.data,
    importModuleDynamically,
  });
  if (entry === undefined || script.cachedDataRejected) {
    // V8 refuses a cache made under other flags: this compile's script makes the next one
    if (entry === undefined) stats.misses++;
    else stats.rejected++;
    cache.set(filename, { source: code, script });
  } else {
    stats.hits++;
    cache.set(filename, entry);
  }
  return script.runInContext(parsingContext);
}

/** Node's own `vm.compileFunction`, or the cached compile for a module of a test file (a string in a context). */
function compileFunction(original, code, params, options) {
  if (typeof code !== 'string' || typeof options?.filename !== 'string' || options.parsingContext === undefined) {
    return original(code, params, options);
  }
  return compileFunctionCached(code, params ?? [], options);
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
    vm.compileFunction = (code, params, options) => compileFunction(original, code, params, options);
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
// for jest-runtime.test.ts (loaded through Node's own module cache: the instance the worker runs)
/** This worker's cache counts so far. */
module.exports.codeCacheStats = () => ({ ...stats, files: cache.size });
/** `vm.compileFunction` through this worker's cache. */
module.exports.compileFunctionCached = compileFunctionCached;
