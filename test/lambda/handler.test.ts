import t from 'tap'
import type { LambdaHandler } from '../../app/lambda-handler.js'
import { handlerCases, lambdaTarget } from '../helpers/lambda.js'

// app/lambda.ts reads process.env when it is imported, as in a Lambda container: set the
// environment first, then import it (once per process, so one configuration per file).
const target = await lambdaTarget(t)
Object.assign(process.env, target.env)
const { handler } = await import('../../app/lambda.js') as { handler: LambdaHandler }

handlerCases(t, () => handler, target)
