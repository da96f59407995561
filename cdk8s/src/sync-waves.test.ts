import { SyncWave } from './sync-waves';

describe('SyncWave', () => {
  it('orders the bootstrap: namespaces < runtime config < packages < ProviderConfig < XRDs < Compositions < XRs < registry replication XRs < workloads', () => {
    const order = [
      SyncWave.namespaces,
      SyncWave.runtimeConfig,
      SyncWave.packages,
      SyncWave.providerConfig,
      SyncWave.definitions,
      SyncWave.compositions,
      SyncWave.compositeResources,
      SyncWave.registryReplication,
      SyncWave.workloads,
    ];
    expect(Object.values(SyncWave)).toEqual(order);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(new Set(order).size).toBe(order.length);
  });

  it('starts the workloads at wave 0, after everything else', () => {
    expect(SyncWave.workloads).toBe(0);
    expect(Math.max(...Object.values(SyncWave))).toBe(SyncWave.workloads);
  });
});
