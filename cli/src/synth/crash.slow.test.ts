import { synthCrashSuite } from './crash-scenario';

// `npm run test:slow` (.ci/run): as many kills as fit in 14 s (at most 80)
synthCrashSuite(14_000);
