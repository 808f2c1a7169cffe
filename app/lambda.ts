// The Lambda entry point (bundled by infra/bundle.ts into dist/lambda/index.mjs). The app is
// built and ready at module load, during the cold start's init phase, not on the first request.
import { createLambdaHandler } from './lambda-handler.js'

const entry = await createLambdaHandler(process.env)

export const handler = entry.handler
