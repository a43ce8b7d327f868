import { describe, expect, it } from 'vitest'
import { ConfigError } from '../../../src/errors.ts'
import { awsCredentialsFrom, signAwsRequest } from '../../../src/provider-utils/aws-sigv4.ts'

// The example credentials and expected signatures of AWS's published SigV4 test suite
// (aws-sig-v4-test-suite: get-vanilla, post-x-www-form-urlencoded style body, session token).
const EXAMPLE = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  service: 'service',
  region: 'us-east-1',
}

describe('signAwsRequest', () => {
  it('matches the AWS test suite get-vanilla signature', async () => {
    const headers = await signAwsRequest({ method: 'GET', url: 'https://example.amazonaws.com/', datetime: '20150830T123600Z' }, EXAMPLE)
    expect(headers.authorization).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=host;x-amz-date, Signature=5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31',
    )
    expect(headers['x-amz-date']).toBe('20150830T123600Z')
  })

  it('signs the body and the session token, and a different body gives a different signature', async () => {
    const request = {
      method: 'POST',
      url: 'https://example.amazonaws.com/q',
      headers: { 'content-type': 'application/json' },
      datetime: '20150830T123600Z',
    }
    const scope = { ...EXAMPLE, sessionToken: 'token-1' }
    const a = await signAwsRequest({ ...request, body: '{"a":1}' }, scope)
    const b = await signAwsRequest({ ...request, body: '{"a":2}' }, scope)
    expect(a['x-amz-security-token']).toBe('token-1')
    expect(a.authorization).toMatch(/SignedHeaders=host;x-amz-date;x-amz-security-token/)
    expect(a.authorization).not.toBe(b.authorization)
  })
})

describe('awsCredentialsFrom', () => {
  it('refuses missing credentials with a ConfigError naming the field', () => {
    expect(() => awsCredentialsFrom({ accessKeyId: 'a' }, 'vectorStore.config')).toThrow(ConfigError)
    expect(() => awsCredentialsFrom({}, 'llm.config')).toThrow(/llm\.config: AWS credentials missing/)
    expect(awsCredentialsFrom({ accessKeyId: 'a', secretAccessKey: 'b' }, 'x')).toEqual({
      accessKeyId: 'a',
      secretAccessKey: 'b',
      sessionToken: undefined,
    })
  })
})
