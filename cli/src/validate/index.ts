/**
 * Offline validation of everything Argo CD applies: schemas (Kubernetes 1.34 definitions, pinned CRDs, the
 * repo's XRDs; strict unknown fields; CEL), cross-object references and workload policy. See docs/validation.md.
 */
export { formatProblem, sortProblems, type Problem, type SchemaProblem, type Severity } from './problem';
export {
  findSchemas,
  resolveSchemasDir,
  SchemasNotFoundError,
  type FoundSchemas,
  type ResolveSchemasDirOptions,
} from './schemas-dir';
export { SchemaRegistry, SchemaLoadError, type SchemaRegistryOptions, type ValidateOptions } from './registry';
export { compositeKindsOf, InvalidXrdError, type CompositeKind, type XrdScope } from './xrd';
export { evaluateRule, type CelRule, type CelOutcome } from './cel';
export { isQuantity } from './quantity';
export { type SourcedObject, loadFiles, yamlFilesUnder } from './load-files';
export {
  defaultPaths,
  validateFiles,
  validateObjects,
  validatePlatform,
  type ValidatePlatformOptions,
  type ValidationReport,
} from './validate-platform';
export { POLICY_CHECKS, exemptReasonAnnotation, polarisExemptAnnotation, type PolicyCheckId } from './policy-checks';
export { findRepoRoot } from './repo-root';
