/**
 * Constants of the environment schema that other packages read without loading the schema itself (zod and the
 * whole environment definition cost ~0.1 s to load; `platform validate` needs only these values).
 */

/** Where Grafana, the Graphite web UI's one client, runs unless an environment says otherwise. */
export const GRAFANA_NAMESPACE = 'monitoring';
