import { expectSilentHostFails } from '../testing/schema-net';

// The production default, waited out in full (10 s); `npm test` checks the same mechanism with a 1 s stall time
// (fetch.network.test.ts) and the default as a value.
describe('platform schemas fetch over the network, with the default stall time', () => {
  it('fails within 15 s in total, naming the host and the ways out, when the host accepts and never answers', async () => {
    await expectSilentHostFails({ waited: '10 s', atLeastMs: 9_950, withinMs: 15_000 });
  }, 20_000);
});
