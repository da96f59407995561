/**
 * IAM and ECR policy documents of the Compositions, written as objects and turned into printf formats for
 * CombineFromComposite patches: `{{s}}` inside a string becomes `%s`, the
 * whole JSON string `"{{d}}"` becomes a bare `%.0f` (a whole number).
 *
 * Not `%d`: the XR reaches the function as a protobuf Struct, whose numbers are all float64, so Go's `%d` prints
 * `%!d(float64=7)` (invalid JSON). The XRD declares these fields as integers, so `%.0f` prints them exactly.
 */

const PLACEHOLDER = /"\{\{d\}\}"|\{\{s\}\}/g;

/** JSON of `doc` with string placeholders `{{s}}` -> %s and whole-number placeholders `"{{d}}"` -> %.0f. */
export function policyFormat(doc: unknown): string {
  const json = JSON.stringify(doc);
  if (json.includes('%')) throw new Error(`policy document contains "%", which a printf format would misread: ${json}`);
  return json.replace(PLACEHOLDER, (m) => (m.startsWith('"') ? '%.0f' : '%s'));
}

export const S = '{{s}}';
export const D = '{{d}}';

/** GitHub's OIDC issuer, as IAM names it. */
export const GITHUB_OIDC_HOST = 'token.actions.githubusercontent.com';

/**
 * The OIDC `sub` of a job in GitHub environment E of workflow file W of repository R run from ref F, once the
 * repository's subject template includes `repo`, `context` and `job_workflow_ref` (AWS reads no other GitHub
 * claim, so the workflow has to be in `sub`): `repo:R:environment:E:job_workflow_ref:R/W@F`
 * (variables: repository, environment, repository, workflow, ref).
 */
export const GITHUB_SUB_FORMAT = `repo:${S}:environment:${S}:job_workflow_ref:${S}/${S}@${S}`;

/**
 * Trust policy of the push role: GitHub Actions OIDC tokens of jobs that run in one GitHub environment, from one
 * workflow file of one repository, at one of `refCount` allowed refs. Not a branch: any workflow on an allowed
 * branch could otherwise push (StringLike only for tag prefixes such as refs/tags/v*).
 */
export function githubTrustPolicy(refCount: number): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'GitHubActionsOidc',
        Effect: 'Allow',
        Principal: { Federated: `arn:aws:iam::${S}:oidc-provider/${GITHUB_OIDC_HOST}` },
        Action: 'sts:AssumeRoleWithWebIdentity',
        Condition: {
          StringEquals: { [`${GITHUB_OIDC_HOST}:aud`]: 'sts.amazonaws.com' },
          StringLike: { [`${GITHUB_OIDC_HOST}:sub`]: Array.from({ length: refCount }, () => GITHUB_SUB_FORMAT) },
        },
      },
    ],
  };
}

/** ECR actions a CI push needs (docker push / buildx with provenance). */
export const ECR_PUSH_ACTIONS = [
  'ecr:BatchCheckLayerAvailability',
  'ecr:BatchGetImage',
  'ecr:CompleteLayerUpload',
  'ecr:DescribeImages',
  'ecr:GetDownloadUrlForLayer',
  'ecr:InitiateLayerUpload',
  'ecr:PutImage',
  'ecr:UploadLayerPart',
];
export const ECR_PULL_ACTIONS = ['ecr:BatchCheckLayerAvailability', 'ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'];

/** Identity policy of the push role: push to exactly one repository (variables: region, account, name). */
export const pushRolePolicy = {
  Version: '2012-10-17',
  Statement: [
    // GetAuthorizationToken is account-wide by AWS design: it cannot be scoped to a repository.
    { Sid: 'EcrLogin', Effect: 'Allow', Action: 'ecr:GetAuthorizationToken', Resource: '*' },
    { Sid: 'PushThisRepository', Effect: 'Allow', Action: ECR_PUSH_ACTIONS, Resource: `arn:aws:ecr:${S}:${S}:repository/${S}` },
  ],
};

/** Repository policy: the push role may push; principals of the account may pull if their IAM policies allow. */
export const repositoryPolicy = {
  Version: '2012-10-17',
  Statement: [
    { Sid: 'PushFromGitHubActionsRole', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${S}:role/${S}` }, Action: ECR_PUSH_ACTIONS },
    { Sid: 'PullWithinAccount', Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${S}:root` }, Action: ECR_PULL_ACTIONS },
  ],
};

/** Lifecycle policy (variables: untagged expiry days, releases to keep). */
export const lifecyclePolicy = {
  rules: [
    {
      rulePriority: 1,
      description: 'Expire untagged images',
      selection: { tagStatus: 'untagged', countType: 'sinceImagePushed', countUnit: 'days', countNumber: D },
      action: { type: 'expire' },
    },
    {
      rulePriority: 2,
      description: 'Keep only the newest releases',
      selection: { tagStatus: 'tagged', tagPatternList: ['*'], countType: 'imageCountMoreThan', countNumber: D },
      action: { type: 'expire' },
    },
  ],
};

/** Namespace and service account of the EBS CSI controller (fixed by the add-on). */
export const EBS_CSI_NAMESPACE = 'kube-system';
export const EBS_CSI_SERVICE_ACCOUNT = 'ebs-csi-controller-sa';

/**
 * Trust policy of the EBS CSI controller role: EKS Pod Identity, only for the controller's service account on this
 * cluster, matched on the session tags Pod Identity sets (variables: account, region, account, cluster).
 */
export const podIdentityTrustPolicy = {
  Version: '2012-10-17',
  Statement: [
    {
      Sid: 'EksPodIdentityEbsCsiController',
      Effect: 'Allow',
      Principal: { Service: 'pods.eks.amazonaws.com' },
      Action: ['sts:AssumeRole', 'sts:TagSession'],
      Condition: {
        StringEquals: {
          'aws:SourceAccount': S,
          'aws:RequestTag/eks-cluster-arn': `arn:aws:eks:${S}:${S}:cluster/${S}`,
          'aws:RequestTag/kubernetes-namespace': EBS_CSI_NAMESPACE,
          'aws:RequestTag/kubernetes-service-account': EBS_CSI_SERVICE_ACCOUNT,
        },
      },
    },
  ],
};

/** AWS-managed policy of the EBS CSI driver. */
export const EBS_CSI_POLICY_ARN = 'arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy';

/** ARN of repository `name` of a registry (variables: region, account, name). */
const REPOSITORY_ARN = `arn:aws:ecr:${S}:${S}:repository/${S}`;

/**
 * Registry policy of a replication destination: exactly one source account may replicate into exactly the named
 * repositories (variables: source account, then region, account, name per repository). No ecr:CreateRepository:
 * a repository this registry does not compose is never created by replication with ECR's default settings.
 */
export function registryReplicationPolicy(repositoryCount: number): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'ReplicateFromSourceRegistry',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${S}:root` },
        Action: 'ecr:ReplicateImage',
        Resource: Array.from({ length: repositoryCount }, () => REPOSITORY_ARN),
      },
    ],
  };
}

/** Identity policy of the promote check role: list images of the named repositories, nothing else (variables: region, account, name per repository). */
export function checkRolePolicy(repositoryCount: number): unknown {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'DescribeImagesOfReplicatedRepositories',
        Effect: 'Allow',
        Action: 'ecr:DescribeImages',
        Resource: Array.from({ length: repositoryCount }, () => REPOSITORY_ARN),
      },
    ],
  };
}
