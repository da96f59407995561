/**
 * Policy exemptions in Polaris's own words, so every Polaris (dashboard, admission webhook, CI action) agrees with
 * `platform validate` (cli/src/validate/policy.ts): `polaris.fairwinds.com/<check>-exempt: "true"` exempts one
 * check, and `policy.metrics-platform.dev/<check>-exempt-reason` beside it says why (Polaris has no place for a
 * reason; `platform validate` refuses an exemption without one).
 */

/** Polaris's per-check exemption annotation. */
export function polarisExemptAnnotation(check: string): string {
  return `polaris.fairwinds.com/${check}-exempt`;
}

/** The reason that must accompany each Polaris exemption. */
export function exemptReasonAnnotation(check: string): string {
  return `policy.metrics-platform.dev/${check}-exempt-reason`;
}

/** Check id -> why it does not apply to this object. */
export type PolicyExemptions = Readonly<Record<string, string>>;

/** For each exempt check, Polaris's exemption and its reason; nothing when nothing is exempt. */
export function exemptionAnnotations(exemptions: PolicyExemptions): Record<string, string> {
  const annotations: Record<string, string> = {};
  for (const [check, reason] of Object.entries(exemptions)) {
    if (!/^[A-Za-z]+$/.test(check) || reason.trim() === '' || /\n/.test(reason)) {
      throw new Error(`policy exemption ${JSON.stringify(check)}: expected a check id and a one-line reason`);
    }
    annotations[polarisExemptAnnotation(check)] = 'true';
    annotations[exemptReasonAnnotation(check)] = reason;
  }
  return annotations;
}

/** Shared by every workload: no PriorityClass, on purpose. */
export const DEFAULT_PRIORITY_REASON =
  'the default priority is intended: nothing here should preempt other workloads, and priority classes are a cluster-wide decision';
