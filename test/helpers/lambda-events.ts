/**
 * API Gateway events as Lambda receives them, shaped after AWS's documented samples: HTTP API
 * (payload format 2.0) and REST API (1.0, with binaryMediaTypes covering multipart/form-data so
 * the body arrives base64-encoded).
 */
import { randomUUID } from 'node:crypto'
import type { LambdaContext } from '../../app/lambda-handler.js'

export interface EventRequest {
  method: string
  path: string
  query?: Record<string, string>
  headers?: Record<string, string>
  body?: Buffer
  requestId?: string
}

const ACCOUNT = '123456789012'
const API_ID = 'r3pmxmplak'
const SOURCE_IP = '198.51.100.7'
const USER_AGENT = 'curl/8.5.0'

export function httpApiEvent (request: EventRequest) {
  const query = new URLSearchParams(request.query ?? {})
  const now = new Date()
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: request.path,
    rawQueryString: query.toString(),
    headers: {
      accept: '*/*',
      host: `${API_ID}.execute-api.us-east-1.amazonaws.com`,
      'user-agent': USER_AGENT,
      'x-amzn-trace-id': `Root=1-${randomUUID().slice(0, 8)}-${randomUUID().replaceAll('-', '').slice(0, 24)}`,
      'x-forwarded-for': SOURCE_IP,
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
      ...lowerCaseKeys(request.headers ?? {})
    },
    ...(request.query && { queryStringParameters: request.query }),
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      domainName: `${API_ID}.execute-api.us-east-1.amazonaws.com`,
      domainPrefix: API_ID,
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: SOURCE_IP, userAgent: USER_AGENT },
      requestId: request.requestId ?? apiRequestId(),
      routeKey: '$default',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime()
    },
    ...(request.body !== undefined && { body: request.body.toString('base64') }),
    isBase64Encoded: request.body !== undefined
  }
}

export function restApiEvent (request: EventRequest) {
  const headers = {
    Accept: '*/*',
    Host: `${API_ID}.execute-api.us-east-1.amazonaws.com`,
    'User-Agent': USER_AGENT,
    'X-Forwarded-For': SOURCE_IP,
    'X-Forwarded-Port': '443',
    'X-Forwarded-Proto': 'https',
    ...request.headers
  }
  const query = request.query ?? null
  return {
    resource: '/{proxy+}',
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
    queryStringParameters: query,
    multiValueQueryStringParameters: query && Object.fromEntries(Object.entries(query).map(([name, value]) => [name, [value]])),
    pathParameters: { proxy: request.path.slice(1) },
    stageVariables: null,
    requestContext: {
      accountId: ACCOUNT,
      apiId: API_ID,
      resourceId: 'qr7mxs',
      resourcePath: '/{proxy+}',
      httpMethod: request.method,
      path: `/prod${request.path}`,
      protocol: 'HTTP/1.1',
      stage: 'prod',
      requestId: request.requestId ?? randomUUID(),
      requestTimeEpoch: Date.now(),
      identity: { sourceIp: SOURCE_IP, userAgent: USER_AGENT }
    },
    body: request.body === undefined ? null : request.body.toString('base64'),
    isBase64Encoded: request.body !== undefined
  }
}

/** A Lambda context with what the runtime provides; awsRequestId is a fresh UUID unless given. */
export function lambdaContext (awsRequestId: string = randomUUID()): LambdaContext & Record<string, unknown> {
  return {
    awsRequestId,
    functionName: 'image-upload',
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:${ACCOUNT}:function:image-upload`,
    memoryLimitInMB: '1024',
    logGroupName: '/aws/lambda/image-upload',
    logStreamName: '2026/11/25/[$LATEST]0123456789abcdef',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 29_000
  }
}

/** HTTP API request ids look like "JKJaXmPLvHcESHA=". */
function apiRequestId (): string {
  return Buffer.from(randomUUID().replaceAll('-', ''), 'hex').subarray(0, 10).toString('base64')
}

function lowerCaseKeys (headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]))
}
