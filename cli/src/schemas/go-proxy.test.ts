import { goProxyEntries, matchesModulePatterns } from './go-proxy';

describe('GOPROXY, GONOPROXY and GOPRIVATE as go reads them', () => {
  it('splits GOPROXY into entries, each knowing whether go moves on after any error', () => {
    expect(goProxyEntries('https://a.test,https://b.test|direct')).toEqual([
      { url: 'https://a.test', nextOnAnyError: false },
      { url: 'https://b.test', nextOnAnyError: true },
      { url: 'direct', nextOnAnyError: false },
    ]);
    expect(goProxyEntries('off')).toEqual([{ url: 'off', nextOnAnyError: false }]);
    expect(goProxyEntries('')).toEqual([]);
  });

  it('matches module path prefixes by glob, element by element', () => {
    expect(matchesModulePatterns('example.com/private', 'example.com/private/mod')).toBe(true);
    expect(matchesModulePatterns('*.corp.test', 'git.corp.test/team/mod')).toBe(true);
    expect(matchesModulePatterns('example.com/priv', 'example.com/private/mod')).toBe(false);
    expect(matchesModulePatterns('other.test, example.com/*/mod', 'example.com/x/mod/v2')).toBe(true);
    expect(matchesModulePatterns('example.com/a/b/c', 'example.com/a')).toBe(false);
    expect(matchesModulePatterns('', 'example.com/a')).toBe(false);
  });
});
