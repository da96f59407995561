import { MetricsApp } from './app';
import { ConfigError, loadConfig } from './config';
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
  await app.start();
}

void main();
