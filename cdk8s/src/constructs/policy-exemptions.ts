/** The annotation `platform validate` reads reviewed policy exemptions from (cli/src/validate/policy-checks.ts). */
export const POLICY_EXEMPT_ANNOTATION = 'policy.metrics-platform.dev/exempt';

/** Check id -> why it does not apply to this object. */
export type PolicyExemptions = Readonly<Record<string, string>>;

/** The `check=reason; check=reason` annotation value, or no annotation when nothing is exempt. */
export function exemptionAnnotations(exemptions: PolicyExemptions): Record<string, string> {
  const entries = Object.entries(exemptions);
  for (const [check, reason] of entries) {
    if (!/^[A-Za-z]+$/.test(check) || reason.trim() === '' || /[;\n]/.test(reason)) {
      throw new Error(
        `policy exemption ${JSON.stringify(check)}: expected a check id and a one-line reason without ";"`,
      );
    }
  }
  if (entries.length === 0) return {};
  return { [POLICY_EXEMPT_ANNOTATION]: entries.map(([check, reason]) => `${check}=${reason}`).join('; ') };
}

/** Shared by every workload: no PriorityClass, on purpose. */
export const DEFAULT_PRIORITY_REASON =
  'the default priority is intended: nothing here should preempt other workloads, and priority classes are a cluster-wide decision';
