import { synthCrashSuite } from './crash-scenario';

// `npm test`: the minimum number of kills (the 14 s fuzzing budget runs in crash.slow.test.ts, from .ci/run)
synthCrashSuite(0);
