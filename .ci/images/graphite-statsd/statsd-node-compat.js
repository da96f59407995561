// statsd 0.9.0 (the last release) still calls util.log, which Node 23 removed; the stand-in runs statsd on
// Node 24, so restore that one function (timestamped console.log, as it was) before statsd loads.
const util = require('node:util');
if (typeof util.log !== 'function') {
  util.log = (...args) => console.log(`${new Date().toISOString()} - ${util.format(...args)}`);
}
