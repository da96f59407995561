import { assertGraphitePackagesInstalled } from './debian-packages';

describe('assertGraphitePackagesInstalled', () => {
  it('fails loudly with the apt command when carbon is missing', () => {
    expect(() => assertGraphitePackagesInstalled((path) => !path.includes('carbon'))).toThrow(
      /missing on this host: graphite-carbon\.[\s\S]*apt-get install -y --no-install-recommends graphite-carbon python3-whisper graphite-web gunicorn/,
    );
  });

  it('passes when every package is there', () => {
    expect(() => assertGraphitePackagesInstalled(() => true)).not.toThrow();
  });
});
