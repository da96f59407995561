// statsd for the CI stand-in, as in upstream graphite-statsd: UDP 8125, admin 8126, flush to carbon every 10 s.
{
  graphiteHost: '127.0.0.1',
  graphitePort: 2003,
  port: 8125,
  mgmt_port: 8126,
  flushInterval: 10000,
  servers: [{ server: './servers/udp', address: '0.0.0.0', port: 8125 }],
}
