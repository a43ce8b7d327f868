import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

const BUCKET = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/

export const s3VectorsConfigSchema = z.strictObject({
  /** An existing vector bucket (create it in the console or with `aws s3vectors create-vector-bucket`). */
  vectorBucketName: z.string().check(z.regex(BUCKET, 'expected a vector bucket name: 3-63 lowercase letters, digits and "-"')),
  /** AWS region of the bucket, e.g. us-east-1. */
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region, e.g. us-east-1')),
  accessKeyId: z.string().check(z.minLength(1)),
  secretAccessKey: z.string().check(z.minLength(1)),
  /** For temporary credentials (STS, IAM roles). */
  sessionToken: z.optional(z.string().check(z.minLength(1))),
  /**
   * Prefix of the indexes the adapter creates, one per Memory collection (default "edgemem"): the
   * collection "support" uses index "edgemem-support"; names that are not valid index names are hashed.
   */
  indexPrefix: z.optional(z.string().check(z.regex(/^[a-z0-9][a-z0-9-]{0,29}$/, 'use up to 30 lowercase letters, digits and "-"'))),
  /** Default https://s3vectors.<region>.api.aws; set for a VPC endpoint or a test server. */
  endpoint: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'))),
  ...transportShape,
})

export type S3VectorsConfig = z.infer<typeof s3VectorsConfigSchema>

// The `s3_vectors` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    s3_vectors: z.input<typeof s3VectorsConfigSchema>
  }
}
