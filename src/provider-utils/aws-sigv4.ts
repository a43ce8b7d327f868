import { AwsV4Signer } from 'aws4fetch'
import { ConfigError } from '../errors.ts'
import type { OutgoingRequest } from './http-client.ts'

/**
 * AWS Signature Version 4 for the fetch-only AWS providers (S3 Vectors, Neptune, Bedrock).
 *
 * Signing is aws4fetch's (small, dependency-free, WebCrypto only, so it runs in browsers and Workers);
 * the AWS SDK v3 clients are Node-first and far larger. Requests are signed per attempt: the signature
 * covers the date, so a retried request needs a fresh one.
 */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  /** Temporary credentials (STS, IAM roles) carry a session token. */
  sessionToken?: string | undefined
}

export interface AwsSigningScope extends AwsCredentials {
  /** The signing name of the service, e.g. `s3vectors`, `neptune-db`, `neptune-graph`, `bedrock`. */
  service: string
  region: string
}

export interface RequestToSign {
  method: string
  url: string
  headers?: Record<string, string> | undefined
  body?: string | Uint8Array<ArrayBuffer> | undefined
  /** Fixed signing time (ISO 8601 basic format, e.g. `20150830T123600Z`); tests only. */
  datetime?: string | undefined
}

/** Returns the request's headers plus `Authorization`, `X-Amz-Date`, `X-Amz-Content-Sha256` when needed, and the session token. */
export async function signAwsRequest(request: RequestToSign, scope: AwsSigningScope): Promise<Record<string, string>> {
  const signer = new AwsV4Signer({
    method: request.method,
    url: request.url,
    headers: request.headers ?? {},
    body: request.body,
    accessKeyId: scope.accessKeyId,
    secretAccessKey: scope.secretAccessKey,
    sessionToken: scope.sessionToken,
    service: scope.service,
    region: scope.region,
    datetime: request.datetime,
  })
  const signed = await signer.sign()
  return Object.fromEntries(signed.headers.entries())
}

/**
 * The HttpClient `prepare` hook of an AWS service: signs every attempt anew (a retry minutes later needs
 * a signature with its own date), e.g. `new HttpClient({ ..., prepare: sigV4(scope) })`.
 */
export function sigV4(scope: AwsSigningScope): (request: OutgoingRequest) => Promise<OutgoingRequest> {
  return async (request) => ({ ...request, headers: await signAwsRequest(request, scope) })
}

/**
 * Credentials from a provider config. Like every provider, AWS ones read no environment variables:
 * config comes from the Memory config only (a CLI or Worker may fill it from its environment).
 */
export function awsCredentialsFrom(config: Partial<AwsCredentials>, field: string): AwsCredentials {
  const { accessKeyId, secretAccessKey, sessionToken } = config
  if (!accessKeyId || !secretAccessKey) {
    throw new ConfigError(
      field,
      'AWS credentials missing: set accessKeyId and secretAccessKey (temporary credentials also need sessionToken)',
    )
  }
  return { accessKeyId, secretAccessKey, sessionToken }
}
