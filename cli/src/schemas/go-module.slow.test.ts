import { expectSilentGoProxyFails } from '../testing/schema-net';

// The production default, waited out in full (10 s); `npm test` checks the same mechanism with a 1 s stall time
// (go-module.test.ts) and the default as a value (fetch.network.test.ts).
describe('go mod download of the schema modules, with the default stall time', () => {
  it('fails within 15 s in one line naming the Go module proxy when it accepts and never answers', async () => {
    await expectSilentGoProxyFails({ waited: '10 s', atLeastMs: 9_950, withinMs: 15_000 });
  }, 20_000);
});
