import { join } from 'node:path';
import type { S3Target } from '../forensics/index.js';
import type { CommandContext } from './context.js';

/** Where evidence packages are written locally: `<dataDir>/evidence`. */
export function evidenceRoot(context: CommandContext): string {
  return join(context.config.dataDir, 'evidence');
}

/** S3 settings from flags, else the environment; undefined when no bucket is named. */
export function s3Target(
  context: CommandContext,
  flags: { s3Bucket?: string; s3Prefix?: string; s3Endpoint?: string },
): S3Target | undefined {
  const bucket = flags.s3Bucket ?? context.env.GATEHOUSE_S3_BUCKET;
  if (!bucket) return undefined;
  const prefix = flags.s3Prefix ?? context.env.GATEHOUSE_S3_PREFIX;
  const endpoint = flags.s3Endpoint ?? context.env.GATEHOUSE_S3_ENDPOINT;
  return {
    bucket,
    ...(prefix ? { prefix } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(context.env.AWS_REGION ? { region: context.env.AWS_REGION } : {}),
  };
}
