import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';

/**
 * Runs the health scripts that argocd/bootstrap/argocd-cm.yaml ships (the committed text, not a copy) in a
 * real Lua interpreter (fengari) against sample Crossplane and Argo CD objects.
 */

// fengari ships no type declarations; this is the part of its C-like API the tests use.
interface Fengari {
  lua: {
    LUA_OK: number;
    lua_pcall(L: unknown, nargs: number, nresults: number, msgh: number): number;
    lua_getfield(L: unknown, idx: number, k: Uint8Array): number;
    lua_tojsstring(L: unknown, idx: number): string | null;
    lua_istable(L: unknown, idx: number): boolean;
    lua_pop(L: unknown, n: number): void;
  };
  lauxlib: {
    luaL_newstate(): unknown;
    luaL_loadstring(L: unknown, s: Uint8Array): number;
  };
  lualib: { luaL_openlibs(L: unknown): void };
  to_luastring(s: string): Uint8Array;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fengari = require('fengari') as Fengari;
const { lua, lauxlib, lualib, to_luastring } = fengari;

const cm = parse(readFileSync(resolve(__dirname, '../../../argocd/bootstrap/argocd-cm.yaml'), 'utf8')) as {
  data: Record<string, string>;
};
const customizations = parse(cm.data['resource.customizations']!) as Record<string, { 'health.lua': string }>;

/** A JSON value as a Lua table constructor (arrays 1-indexed, like Argo CD's conversion). */
function toLua(value: unknown): string {
  if (value === null || value === undefined) return 'nil';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `{${value.map(toLua).join(', ')}}`;
  return `{${Object.entries(value as Record<string, unknown>)
    .map(([k, v]) => `[${JSON.stringify(k)}] = ${toLua(v)}`)
    .join(', ')}}`;
}

interface Health {
  status: string;
  message: string;
}

function health(key: string, obj: unknown): Health {
  const script = customizations[key]?.['health.lua'];
  if (script === undefined) throw new Error(`argocd-cm has no health.lua for ${key}`);
  const L = lauxlib.luaL_newstate();
  lualib.luaL_openlibs(L);
  const chunk = `obj = ${toLua(obj)}\nlocal function check()\n${script}\nend\nreturn check()`;
  if (lauxlib.luaL_loadstring(L, to_luastring(chunk)) !== lua.LUA_OK) throw new Error(lua.lua_tojsstring(L, -1) ?? 'load');
  if (lua.lua_pcall(L, 0, 1, 0) !== lua.LUA_OK) throw new Error(`${key}: ${lua.lua_tojsstring(L, -1)}`);
  if (!lua.lua_istable(L, -1)) throw new Error(`${key}: health.lua did not return a table`);
  lua.lua_getfield(L, -1, to_luastring('status'));
  const status = lua.lua_tojsstring(L, -1) ?? '';
  lua.lua_pop(L, 1);
  lua.lua_getfield(L, -1, to_luastring('message'));
  const message = lua.lua_tojsstring(L, -1) ?? '';
  return { status, message };
}

type Condition = { type: string; status: string; reason?: string; message?: string };
const xr = (conditions?: Condition[], annotations?: Record<string, string>) => ({
  apiVersion: 'platform.example.org/v1alpha1',
  kind: 'Repository',
  metadata: { name: 'metrics-app', namespace: 'metrics-dev', annotations },
  spec: {},
  status: conditions === undefined ? undefined : { conditions },
});
const ready = (status: string, reason = status === 'True' ? 'Available' : 'Creating', message?: string) => ({
  type: 'Ready',
  status,
  reason,
  message,
});
const synced = (status: string, message?: string) => ({
  type: 'Synced',
  status,
  reason: status === 'True' ? 'ReconcileSuccess' : 'ReconcileError',
  message,
});

describe('argocd-cm', () => {
  it('tracks resources by annotation, as Crossplane needs', () => {
    expect(cm.data['application.resourceTrackingMethod']).toBe('annotation');
  });

  it('covers XRs, AWS managed resources, Providers, Functions, XRDs and child Applications', () => {
    expect(Object.keys(customizations).sort()).toEqual([
      '*.aws.m.upbound.io/*',
      'apiextensions.crossplane.io/CompositeResourceDefinition',
      'argoproj.io/Application',
      'pkg.crossplane.io/Function',
      'pkg.crossplane.io/Provider',
      'platform.example.org/*',
    ]);
  });
});

describe.each(['platform.example.org/*', '*.aws.m.upbound.io/*'])('health of %s', (key) => {
  it('is Progressing before Crossplane reports anything', () => {
    expect(health(key, xr()).status).toBe('Progressing');
    expect(health(key, xr([])).status).toBe('Progressing');
  });

  it('is Healthy when Ready=True and Synced=True', () => {
    expect(health(key, xr([synced('True'), ready('True')]))).toEqual({ status: 'Healthy', message: 'Ready' });
  });

  it('is Progressing while Ready=False because it is still being created', () => {
    const h = health(key, xr([synced('True'), ready('False', 'Creating', 'Unready resources: repository')]));
    expect(h.status).toBe('Progressing');
    expect(h.message).toContain('Unready resources: repository');
  });

  it('is Degraded when Ready=False for another reason', () => {
    expect(health(key, xr([synced('True'), ready('False', 'Unavailable', 'addon DEGRADED')])).status).toBe('Degraded');
  });

  it('is Degraded when Synced=False, even if it was Ready', () => {
    const h = health(key, xr([synced('False', 'cannot compose: bad patch'), ready('True')]));
    expect(h).toEqual({ status: 'Degraded', message: 'Synced=False (ReconcileError): cannot compose: bad patch' });
  });

  it('is Degraded when the last asynchronous provider call failed', () => {
    const failed = { type: 'LastAsyncOperation', status: 'False', reason: 'ApplyFailure', message: 'AccessDenied' };
    expect(health(key, xr([synced('True'), failed, ready('False')])).status).toBe('Degraded');
  });

  it('is Progressing while Ready is Unknown or missing', () => {
    expect(health(key, xr([synced('True')])).status).toBe('Progressing');
    expect(health(key, xr([synced('True'), ready('Unknown', 'Unknown')])).status).toBe('Progressing');
  });

  it('is Suspended when reconciliation is paused', () => {
    expect(health(key, xr([ready('True')], { 'crossplane.io/paused': 'true' })).status).toBe('Suspended');
  });
});

describe.each(['pkg.crossplane.io/Provider', 'pkg.crossplane.io/Function'])('health of %s', (key) => {
  const pkg = (conditions?: Condition[]) => ({ kind: key.split('/')[1], metadata: { name: 'p' }, status: { conditions } });
  const installed = (status: string, reason = 'ActivePackageRevision') => ({ type: 'Installed', status, reason });
  const healthy = (status: string, reason: string, message?: string) => ({ type: 'Healthy', status, reason, message });

  it('is Progressing until installed', () => {
    expect(health(key, pkg()).status).toBe('Progressing');
    expect(health(key, pkg([installed('False', 'UnpackingPackage')])).status).toBe('Progressing');
  });

  it('is Progressing while the revision health is unknown', () => {
    const h = health(key, pkg([installed('True'), healthy('False', 'UnknownPackageRevisionHealth')]));
    expect(h.status).toBe('Progressing');
  });

  it('is Healthy when installed and healthy', () => {
    expect(health(key, pkg([installed('True'), healthy('True', 'HealthyPackageRevision')])).status).toBe('Healthy');
  });

  it('is Degraded when installed but unhealthy', () => {
    const h = health(key, pkg([installed('True'), healthy('False', 'UnhealthyPackageRevision', 'pull failed')]));
    expect(h).toEqual({ status: 'Degraded', message: 'Healthy=False (UnhealthyPackageRevision): pull failed' });
  });
});

describe('health of XRDs and child Applications', () => {
  const xrd = (conditions: Condition[]) => ({ kind: 'CompositeResourceDefinition', status: { conditions } });

  it('waits for an XRD to be established', () => {
    const key = 'apiextensions.crossplane.io/CompositeResourceDefinition';
    expect(health(key, xrd([])).status).toBe('Progressing');
    expect(health(key, xrd([{ type: 'Established', status: 'False', reason: 'Pending' }])).status).toBe('Progressing');
    expect(health(key, xrd([{ type: 'Established', status: 'True' }])).status).toBe('Healthy');
  });

  it('reports a child Application by its own health', () => {
    const key = 'argoproj.io/Application';
    expect(health(key, { status: {} }).status).toBe('Progressing');
    expect(health(key, { status: { health: { status: 'Degraded', message: 'x' } } })).toEqual({
      status: 'Degraded',
      message: 'x',
    });
    expect(health(key, { status: { health: { status: 'Healthy' } } }).status).toBe('Healthy');
  });
});
