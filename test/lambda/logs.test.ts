import { Writable } from 'node:stream'
import t from 'tap'
import { createLambdaHandler } from '../../app/lambda-handler.js'
import { httpApiEvent, lambdaContext, restApiEvent } from '../helpers/lambda-events.js'
import { lambdaTarget } from '../helpers/lambda.js'
import { fixture, multipartBody } from '../helpers/multipart.js'

const target = await lambdaTarget(t)
// The AWS clients find credentials where Lambda puts them: in the process environment.
Object.assign(process.env, target.env)
const lines: Array<Record<string, unknown>> = []
const stream = new Writable({
  write (chunk: Buffer, _encoding, done) {
    for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line))
    done()
  }
})
const entry = await createLambdaHandler(target.env, { logger: { level: 'info', stream } })
t.teardown(() => entry.close())

const linesOf = (reqId: unknown) => lines.filter(line => line['reqId'] === reqId)

t.test('every line of a request carries the Lambda and API Gateway request ids, concurrent requests kept apart', async t => {
  const body = await multipartBody([{ filename: 'image.png', content: fixture('image.png') }])
  const invocations = [
    { event: httpApiEvent({ method: 'POST', path: '/upload', headers: body.headers, body: body.payload, requestId: 'JKJaXmPLvHcESHA=' }), context: lambdaContext('7e6bd5c4-0001-4f7e-9a0e-5c1a4bd0d001') },
    { event: restApiEvent({ method: 'GET', path: '/health', requestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }), context: lambdaContext('7e6bd5c4-0002-4f7e-9a0e-5c1a4bd0d002') },
    { event: httpApiEvent({ method: 'GET', path: '/nope', requestId: 'KLMbYnQMwIdFTIB=' }), context: lambdaContext('7e6bd5c4-0003-4f7e-9a0e-5c1a4bd0d003') }
  ]
  const responses = await Promise.all(invocations.map(({ event, context }) => entry.handler(event, context)))
  t.same(responses.map(res => res.statusCode), [201, 200, 404], responses[0]!.body)

  for (const { event, context } of invocations) {
    const apiRequestId = event.requestContext.requestId
    const tagged = lines.filter(line => line['awsRequestId'] === context.awsRequestId)
    t.ok(tagged.length >= 2, `lines were logged for ${apiRequestId}`)
    const reqIds = new Set(tagged.map(line => line['reqId']))
    t.equal(reqIds.size, 1, 'one Fastify request per invocation')
    const all = linesOf([...reqIds][0])
    t.same(all.length, tagged.length, 'no line of the request lacks the ids')
    t.ok(all.every(line => line['apiRequestId'] === apiRequestId), 'each line has its own API Gateway id')
    t.ok(all.some(line => line['msg'] === 'incoming request'), 'the first line of the request has them too')
    t.ok(all.some(line => line['msg'] === 'request completed'))
  }
  const upload = lines.filter(line => line['awsRequestId'] === invocations[0]!.context.awsRequestId)
  t.ok(upload.some(line => line['msg'] === 'image stored'), 'lines logged by the route carry them')
})

t.test('a client cannot choose the API Gateway id it is logged under', async t => {
  const context = lambdaContext()
  const event = httpApiEvent({ method: 'GET', path: '/health', headers: { 'x-request-id': 'forged' }, requestId: 'MNOcZoRNxJeGUJC=' })
  await entry.handler(event, context)
  const mine = lines.filter(line => line['awsRequestId'] === context.awsRequestId)
  t.ok(mine.length > 0)
  t.ok(mine.every(line => line['apiRequestId'] === 'MNOcZoRNxJeGUJC='))
})

t.test('in Lambda every line has a level Lambda accepts (INFO, not 30) and an RFC 3339 timestamp', async t => {
  const context = lambdaContext()
  await entry.handler(httpApiEvent({ method: 'GET', path: '/health' }), context)
  const mine = lines.filter(line => line['awsRequestId'] === context.awsRequestId)
  t.ok(mine.length >= 2)
  for (const line of lines) {
    t.match(line, { level: /^(TRACE|DEBUG|INFO|WARN|ERROR|FATAL)$/, timestamp: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/ }, String(line['msg']))
  }
  t.ok(mine.every(line => line['level'] === 'INFO'))
})
