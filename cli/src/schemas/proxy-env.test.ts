import { noProxyMatches, proxyFor, ProxySettingError, redactUrl } from './proxy-env';

const at = (url: string, env: NodeJS.ProcessEnv, bypassLoopback = false) =>
  proxyFor(new URL(url), env, { bypassLoopback })?.href;

describe('proxy variables', () => {
  it('takes https_proxy/HTTPS_PROXY for https, http_proxy/HTTP_PROXY for http and as the https fallback', () => {
    expect(at('https://a.example/x', { HTTPS_PROXY: 'http://p:3128' })).toBe('http://p:3128/');
    expect(at('https://a.example/x', { https_proxy: 'http://lower:1', HTTPS_PROXY: 'http://upper:2' })).toBe(
      'http://lower:1/',
    );
    expect(at('https://a.example/x', { HTTP_PROXY: 'p:8080' })).toBe('http://p:8080/');
    expect(at('http://a.example/x', { HTTPS_PROXY: 'http://p:3128' })).toBeUndefined();
    expect(at('http://a.example/x', { http_proxy: 'http://p:3128' })).toBe('http://p:3128/');
    expect(at('https://a.example/x', { HTTPS_PROXY: '' })).toBeUndefined();
    expect(at('https://a.example/x', {})).toBeUndefined();
    expect(() => at('https://a.example/x', { HTTPS_PROXY: 'http://[bad' })).toThrow(ProxySettingError);
  });

  it('leaves out hosts NO_PROXY/no_proxy lists: names with their subdomains, ports, addresses, *', () => {
    const env = (noProxy: string) => ({ HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy });
    expect(at('https://raw.example.com/x', env('example.com'))).toBeUndefined();
    expect(at('https://raw.example.com/x', env('.example.com'))).toBeUndefined();
    expect(at('https://raw.example.com/x', env('*.example.com'))).toBeUndefined();
    expect(at('https://notexample.com/x', env('example.com'))).toBe('http://p:1/');
    expect(at('https://a.example:8443/x', env('a.example:443'))).toBe('http://p:1/');
    expect(at('https://a.example/x', env('a.example:443'))).toBeUndefined();
    expect(at('https://a.example/x', env('other, a.example'))).toBeUndefined();
    expect(at('https://a.example/x', env('*'))).toBeUndefined();
    expect(at('https://a.example/x', { HTTPS_PROXY: 'http://p:1', no_proxy: 'a.example', NO_PROXY: '' })).toBe(
      undefined,
    );
    expect(noProxyMatches('[::1]:8080', '::1', 8080)).toBe(true);
    expect(noProxyMatches('127.0.0.1', '127.0.0.2', 80)).toBe(false);
  });

  it("bypasses loopback only when asked (go's rule), and prints proxies without credentials", () => {
    const env = { HTTPS_PROXY: 'http://p:1' };
    expect(at('https://127.0.0.1:8443/x', env)).toBe('http://p:1/');
    expect(at('https://127.0.0.1:8443/x', env, true)).toBeUndefined();
    expect(at('https://localhost/x', env, true)).toBeUndefined();
    expect(at('https://[::1]/x', env, true)).toBeUndefined();
    expect(at('https://a.example/x', env, true)).toBe('http://p:1/');
    expect(redactUrl(new URL('http://user:secret@p:3128/'))).toBe('http://p:3128');
  });
});
