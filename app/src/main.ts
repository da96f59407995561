import { MetricsApp } from './app';
import { ConfigError, ENV_VARIABLES, loadConfig } from './config';
import { createLogger } from './logger';
import { GracefulShutdown } from './shutdown';

/** Exit code for an invalid configuration (sysexits.h EX_CONFIG). */
export const EXIT_CONFIG = 78;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    // LOG_LEVEL itself may be the invalid variable: report with a logger that does not depend on it.
    createLogger('info').fatal({ issues: error.issues }, error.message);
    process.exit(EXIT_CONFIG);
  }
  const logger = createLogger(config.logLevel);
  process.on('uncaughtException', (error) => {
    logger.fatal({ err: error }, 'uncaught exception');
    process.exit(1);
  });
  process.on('unhandledRejection', (reason) => {
    logger.fatal({ err: reason }, 'unhandled rejection');
    process.exit(1);
  });
  const app = new MetricsApp({ config, logger });
  new GracefulShutdown({ onShutdown: () => app.stop(), timeoutMs: config.shutdownTimeoutMs, logger }).install();
  try {
    await app.start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // A port taken (e.g. by an app left running) or not allowed is the configuration's fault, not a crash.
    if (code !== 'EADDRINUSE' && code !== 'EACCES') throw error;
    const reason = code === 'EADDRINUSE' ? 'is already in use' : 'may not be bound by this user';
    logger.fatal(
      { variable: ENV_VARIABLES.httpPort.name, value: config.httpPort, code },
      `invalid configuration: HTTP_PORT=${config.httpPort} ${reason} (${code}), expected a free port`,
    );
    process.exit(EXIT_CONFIG);
  }
}

void main();
