import type { FastifyInstance } from 'fastify'

/**
 * Parses application/x-www-form-urlencoded bodies (plain HTML form posts) in the plugin that
 * calls it only; Fastify has no parser of its own and @fastify/formbody is not installed.
 * Repeated fields keep their first value. The body is never logged. The plugin's routes take
 * nothing else: JSON or any other body is refused with 415, unparsed.
 */
export function acceptFormPosts (app: FastifyInstance, bodyLimit: number): void {
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    const fields: Record<string, string> = Object.create(null)
    for (const [name, value] of new URLSearchParams(body as string)) {
      if (!(name in fields)) fields[name] = value
    }
    done(null, fields)
  })
}
