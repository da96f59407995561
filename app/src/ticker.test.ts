import { Ticker } from './ticker';

describe('Ticker', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('ticks at once, then every interval, until stopped', () => {
    const onTick = jest.fn();
    const ticker = new Ticker({ intervalMs: 3000, onTick, now: Date.now });
    ticker.start();
    expect(onTick).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(2999);
    expect(onTick).toHaveBeenCalledTimes(1);
    jest.advanceTimersByTime(1);
    expect(onTick).toHaveBeenCalledTimes(2);
    jest.advanceTimersByTime(9000);
    expect(ticker.ticks).toBe(5);
    ticker.stop();
    expect(ticker.running).toBe(false);
    jest.advanceTimersByTime(10_000);
    expect(onTick).toHaveBeenCalledTimes(5);
  });

  it('does not accumulate lateness: a tick that ran late shortens the wait for the next', () => {
    const started = Date.now();
    const times: number[] = [];
    // Each tick takes 4 ms of a 10 ms interval.
    const ticker = new Ticker({
      intervalMs: 10,
      now: Date.now,
      onTick: () => {
        times.push(Date.now() - started);
        jest.setSystemTime(Date.now() + 4);
      },
    });
    ticker.start();
    jest.advanceTimersByTime(1000);
    ticker.stop();
    expect(times.slice(0, 4)).toEqual([0, 10, 20, 30]);
    expect(ticker.ticks).toBeGreaterThanOrEqual(100);
  });

  it('skips ticks missed in a stall instead of bursting', () => {
    let now = 0;
    const onTick = jest.fn();
    const ticker = new Ticker({ intervalMs: 10, onTick, now: () => now });
    ticker.start();
    now = 1000; // the event loop was blocked for a second
    jest.advanceTimersByTime(10);
    expect(onTick).toHaveBeenCalledTimes(2);
    now = 1010;
    jest.advanceTimersByTime(10);
    expect(onTick).toHaveBeenCalledTimes(3);
    ticker.stop();
  });

  it('refuses a non-positive interval', () => {
    expect(() => new Ticker({ intervalMs: 0, onTick: () => undefined })).toThrow(/intervalMs/);
  });
});
