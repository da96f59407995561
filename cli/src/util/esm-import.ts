/**
 * `import(specifier)` from a module Node loads itself. The CLI's bundle (scripts/bundle-cli.js) keeps this module out
 * and requires it from beside the bundle: an `import()` inside the bundle, which the binary compiles with `vm`, would
 * need vm's dynamic-import hook, experimental on Node 20 (a warning on stderr every time it is used).
 */
export function importEsm<T>(specifier: string): Promise<T> {
  return import(specifier) as Promise<T>;
}
